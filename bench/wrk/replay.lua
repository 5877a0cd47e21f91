-- wrk script: POST /payments with one fixed Idempotency-Key: the first request executes, every
-- other one is a replay (the replay path).
wrk.method = "POST"
wrk.body = '{"amount":1000,"currency":"EUR"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Idempotency-Key"] = os.getenv("IDEM_BENCH_KEY") or "8a3bb2a2-5d3c-4a7e-9b1a-3f0c2d9e1b77"
