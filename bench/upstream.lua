-- wrk script: POSTs a small chat completion request, as Colloquy would, to measure an upstream alone.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
wrk.body = '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Where is my order?"}]}'
