-- wrk script: the same payment handler without the guard (POST /unguarded/payments), as the
-- baseline the guarded paths are compared with.
wrk.method = "POST"
wrk.body = '{"amount":1000,"currency":"EUR"}'
wrk.headers["Content-Type"] = "application/json"
