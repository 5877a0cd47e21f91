# Every dependency comes from a Debian package. A missing one stops configure and names the
# package to install, instead of failing later with a missing header.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

macro(idem_require_package name apt)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "${name} not found: apt-get install ${apt}")
  endif()
endmacro()

macro(idem_require_pkgconfig target module apt)
  pkg_check_modules(${target}_PC QUIET IMPORTED_TARGET ${module})
  if(NOT ${target}_PC_FOUND)
    message(FATAL_ERROR "${module} (pkg-config) not found: apt-get install ${apt}")
  endif()
  add_library(idem::${target} ALIAS PkgConfig::${target}_PC)
endmacro()

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
idem_require_package(CLI11 libcli11-dev)
idem_require_package(CURL libcurl4-openssl-dev)
idem_require_package(OpenSSL libssl-dev)
idem_require_package(nlohmann_json nlohmann-json3-dev)
# HdrHistogram's compressed encoding deflates with zlib (--report hdr).
idem_require_package(ZLIB zlib1g-dev)
# verify --openapi reads YAML documents (Debian 12 ships yaml-cpp 0.7, whose target is yaml-cpp).
idem_require_package(yaml-cpp libyaml-cpp-dev)
# Debian's cpp-httplib is a compiled library; its pkg-config flags (OpenSSL, zlib, brotli
# support macros) must match the ones it was built with, so we take them from there.
idem_require_pkgconfig(httplib cpp-httplib libcpp-httplib-dev)
idem_require_pkgconfig(hiredis hiredis libhiredis-dev)
if(IDEM_BUILD_TESTS)
  idem_require_package(Catch2 catch2)
endif()
