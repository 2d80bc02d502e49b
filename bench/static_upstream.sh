# Sourced by the benchmark scripts: a static OpenAI-compatible upstream served by nginx, answering every
# POST /v1/chat/completions at once with the same streamed structured answer (the answer, the finish
# chunk, a usage chunk, [DONE]), so what is measured is Colloquy, not the model.
#   start_static_upstream <port>    stop_static_upstream
STATIC_DIR=""
start_static_upstream() {
  local port="$1"
  require nginx nginx-light
  STATIC_DIR=$(mktemp -d /tmp/colloquy-static-upstream.XXXXXX)
  python3 - "$STATIC_DIR/body.conf" <<'PY'
import json, sys
answer = json.dumps({
    "needsHuman": False, "handoffReason": None, "confidence": 0.9,
    "reply": "Thanks for waiting. Your refund for order A-10442 has been approved and the money will be "
             "back on your card within three to five working days.",
    "intent": "refund request", "reasoningSummary": "The order is eligible for a refund.",
    "suggestedNextAction": "Confirm the refund by email", "facts": [], "openQuestions": []})
def chunk(body):
    base = {"id": "chatcmpl-static", "object": "chat.completion.chunk", "created": 1764000000, "model": "gpt-4o-mini"}
    base.update(body)
    return "data: " + json.dumps(base) + "\n\n"
usage = {"prompt_tokens": 700, "completion_tokens": 60, "total_tokens": 760, "prompt_tokens_details": {"cached_tokens": 0}}
stream = (chunk({"choices": [{"index": 0, "delta": {"role": "assistant", "content": answer}, "finish_reason": None}]})
          + chunk({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
          + chunk({"choices": [], "usage": usage}) + "data: [DONE]\n\n")
escaped = stream.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
open(sys.argv[1], "w").write("return 200 '" + escaped + "';\n")
PY
  cat > "$STATIC_DIR/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $STATIC_DIR/nginx.pid;
error_log $STATIC_DIR/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_buffer_size 64k;
  server {
    listen 127.0.0.1:$port;
    location = /v1/chat/completions {
      default_type text/event-stream;
      include $STATIC_DIR/body.conf;
    }
  }
}
CONF
  nginx -p "$STATIC_DIR" -c "$STATIC_DIR/nginx.conf" &
  STATIC_PID=$!
  for _ in $(seq 1 50); do
    if curl -fs -XPOST "http://127.0.0.1:$port/v1/chat/completions" -d '{}' >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "the static upstream did not start; see $STATIC_DIR/error.log" >&2
  exit 1
}

stop_static_upstream() {
  if [ -n "${STATIC_PID:-}" ]; then
    kill "$STATIC_PID" 2>/dev/null || true
    wait "$STATIC_PID" 2>/dev/null || true
    STATIC_PID=""
  fi
}
