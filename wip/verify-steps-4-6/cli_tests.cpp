
TEST_CASE("idemctl verify: a target that accepts and never answers fails within 30 s", "[cli]") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  REQUIRE(::listen(fd, 512) == 0);  // never accepted: handshakes complete, nothing answers
  socklen_t len = sizeof(addr);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const auto started = std::chrono::steady_clock::now();
  const Run r = run_idemctl("verify --target http://127.0.0.1:" +
                                std::to_string(ntohs(addr.sin_port)),
                            "NO_COLOR=1");
  const auto took = std::chrono::steady_clock::now() - started;
  ::close(fd);
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(took < std::chrono::seconds(30));
  CHECK_THAT(r.output, Catch::Contains("not run: the target answered none of the first 2 "
                                       "requests within --timeout 10s"));
}

TEST_CASE("idemctl verify: SIGINT prints the summary, writes the partial reports and exits 130",
          "[cli]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("idemctl-int-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string json = (dir / "partial.json").string();
  const std::string junit = (dir / "partial.xml").string();
  // Many rounds: concurrent-duplicates alone would take minutes.
  BackgroundProcess verify({IDEMCTL_BINARY, "verify", "--rounds", "1000", "--report",
                            "json=" + json, "--report", "junit=" + junit});
  const std::string line =
      verify.wait_for_output("verifying the embedded reference server at", std::chrono::seconds(20));
  REQUIRE_FALSE(line.empty());
  const size_t at = line.find("127.0.0.1:");
  REQUIRE(at != std::string::npos);
  const int port = std::stoi(line.substr(at + 10));
  // Wait (bounded) until the checks before concurrent-duplicates have run: they execute 7 times.
  long long executions = 0;
  for (int i = 0; i < 200 && executions < 12; ++i) {
    const auto stats = nlohmann::json::parse(send(port, "GET", "/__idem/stats").body, nullptr, false);
    executions = stats.is_object() ? stats.value("executions_total", 0LL) : 0;
  }
  REQUIRE(executions >= 12);
  verify.signal(SIGINT);
  CHECK(verify.wait(std::chrono::seconds(10)) == 130);
  INFO(verify.out() << verify.err());
  CHECK_THAT(verify.err(), Catch::Contains("interrupted by SIGINT"));
  CHECK_THAT(verify.out(), Catch::Contains("PASS") && Catch::Contains("distinct-keys"));
  std::ifstream in(json);
  const auto report = nlohmann::json::parse(in, nullptr, false);
  REQUIRE(report.is_object());
  CHECK(report["checks"].size() >= 8);
  CHECK(report["checks"].size() < 20);
  std::ifstream xml(junit);
  std::stringstream ss;
  ss << xml.rdbuf();
  CHECK_THAT(ss.str(), Catch::Contains("<testsuite"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("idemctl verify: an unwritable report path is exit 2 before the run", "[cli]") {
  const Run r = run_idemctl("verify --report json=/nonexistent-dir/x.json");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.output, Catch::Contains("--report: cannot write /nonexistent-dir/x.json"));
  CHECK_THAT(r.output, !Catch::Contains("PASS"));
}
