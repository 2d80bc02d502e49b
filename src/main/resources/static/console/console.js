// The agent console: a thin client of the agent API (/api/v1/handoffs). The key stays in this tab's
// sessionStorage; every call sends it as a bearer token. No framework: the page is small. The queue and
// the open conversation are live: two Server-Sent Event streams (read with fetch, since EventSource cannot
// send an Authorization header), reconnected after a second when they drop. Choosing a handoff in the queue
// previews it (GET, which claims nothing); only Claim takes it.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const state = { key: sessionStorage.getItem("colloquy.agentKey"), name: sessionStorage.getItem("colloquy.agentName") || "",
                  handoff: null, claimed: false, lastSeq: 0, throughSeq: 0, queueStream: null, conversationStream: null };

  async function api(method, path, body) {
    const response = await fetch("/api/v1" + path, {
      method,
      headers: Object.assign({ "Authorization": "Bearer " + state.key },
                             body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    if (response.status === 204) { return null; }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data.detail || data.title || ("HTTP " + response.status));
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // Reads a Server-Sent Event stream until it ends or is aborted; calls onEvent(name, data, id) per event.
  async function readStream(path, onEvent, signal) {
    const response = await fetch("/api/v1" + path, {
      headers: { "Authorization": "Bearer " + state.key, "Accept": "text/event-stream" }, signal
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      const error = new Error(data.detail || data.title || ("HTTP " + response.status));
      error.status = response.status;
      throw error;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) { return; }
      buffer += value.replaceAll("\r\n", "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message", id = null, data = "";
        block.split("\n").forEach((line) => {
          if (!line || line.startsWith(":")) { return; }
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") { name = text; } else if (field === "id") { id = text; } else if (field === "data") { data += text; }
        });
        if (data) { onEvent(name, JSON.parse(data), id); }
      }
    }
  }

  // Follows a stream for as long as the controller is not aborted: reconnects a second after it drops.
  function follow(pathFn, onEvent, onConnect) {
    const controller = new AbortController();
    (async () => {
      while (!controller.signal.aborted) {
        try {
          if (onConnect) { onConnect(); }
          await readStream(pathFn(), onEvent, controller.signal);
        } catch (e) {
          if (controller.signal.aborted) { return; }
          if (e.status === 401 || e.status === 403) { handleError(e); return; }
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    return controller;
  }

  function showError(message) {
    $("error").textContent = message;
    $("error").hidden = !message;
  }

  function text(tag, value, className) {
    const el = document.createElement(tag);
    el.textContent = value == null ? "" : String(value);
    if (className) { el.className = className; }
    return el;
  }

  function waited(seconds) {
    if (seconds < 60) { return seconds + " s"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + " min"; }
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  }

  async function refreshQueue() {
    try {
      const data = await api("GET", "/handoffs?status=PENDING");
      const list = $("queue");
      list.replaceChildren();
      data.handoffs.forEach((h) => {
        const item = document.createElement("li");
        item.dataset.id = h.id;
        item.className = "queue-item";
        item.append(text("strong", h.reason.replaceAll("_", " ").toLowerCase()), text("div", h.reasonDetail || "", "muted small"),
                    text("div", "waiting " + waited(h.waitingSeconds) + " · priority " + h.priority, "small"));
        item.classList.toggle("selected", state.handoff !== null && state.handoff.id === h.id);
        item.addEventListener("click", () => preview(h.id));
        list.append(item);
      });
      $("queue-count").textContent = data.handoffs.length;
      $("queue-empty").hidden = data.handoffs.length > 0;
      $("queue-hint").hidden = data.handoffs.length === 0 || state.handoff !== null;
      showError("");
    } catch (e) {
      handleError(e);
    }
  }

  // Shows a handoff read-only: reading it claims nothing, so an agent can look before taking it.
  async function preview(id) {
    try {
      show(await api("GET", "/handoffs/" + id), false);
      refreshQueue();
    } catch (e) {
      handleError(e);
      refreshQueue();
    }
  }

  async function claim(id) {
    try {
      const body = { agentName: state.name || null };
      const handoff = id ? await api("POST", "/handoffs/" + id + "/claim", body) : await api("POST", "/handoffs/claim-next", body);
      if (!handoff) { showError("Nobody is waiting."); return; }
      show(handoff, true);
      showError("");
      refreshQueue();
    } catch (e) {
      handleError(e);
      refreshQueue();
    }
  }

  // Preview or claimed: the actions differ, the package is the same.
  function setMode(claimed, note) {
    state.claimed = claimed;
    $("detail-mode").textContent = note || (claimed ? "Claimed by you" : "Preview");
    $("claim").hidden = claimed;
    $("claim").disabled = Boolean(note);
    $("release").hidden = !claimed;
    $("agent-actions").hidden = !claimed;
    $("preview-note").hidden = claimed;
  }

  function show(handoff, claimed) {
    const same = state.handoff !== null && state.handoff.id === handoff.id;
    state.handoff = handoff;
    const pkg = handoff.package;
    $("detail").hidden = false;
    $("queue-hint").hidden = true;
    setMode(claimed);
    $("detail-conversation").textContent = handoff.conversationId;
    $("detail-reason").textContent = handoff.reason.replaceAll("_", " ").toLowerCase();
    $("detail-next-action").textContent = pkg.suggestedNextAction;
    $("detail-intent").textContent = pkg.intent || "unknown";
    $("detail-summary").textContent = pkg.summary || "(the whole conversation is in the transcript)";
    const facts = $("detail-facts").tBodies[0];
    facts.replaceChildren();
    pkg.facts.forEach((f) => {
      const row = document.createElement("tr");
      const value = text("td", f.value);
      if (f.previousValue) { value.append(" ", text("span", f.previousValue, "was")); }
      row.append(text("td", f.key.replaceAll("_", " "), "key"), value);
      facts.append(row);
    });
    const last = pkg.lastModelAnswer;
    $("detail-last-answer").textContent = last
      ? "\u201c" + last.reply + "\u201d \u2014 " + (last.reasoningSummary || "") + (last.confidence != null ? " (confidence " + last.confidence + ")" : "")
      : "The model gave no answer (it was not reached).";
    $("detail-confidence").textContent = pkg.confidenceHistory.length
      ? pkg.confidenceHistory.map((c) => (c == null ? "?" : c)).join(" \u2192 ") : "none";
    if (same && state.conversationStream) { return; }   // claiming what was previewed: the transcript is there
    const transcript = $("transcript");
    transcript.replaceChildren();
    state.lastSeq = 0;
    state.throughSeq = pkg.transcript.length ? pkg.transcript[pkg.transcript.length - 1].seq : 0;
    if (pkg.transcriptRef) {
      transcript.append(text("li", "Earlier messages: " + pkg.transcriptRef.href, "muted small"));
    }
    pkg.transcript.forEach(addMessage);
    pkg.messagesWhileWaiting.forEach(addMessage);
    followConversation(handoff.conversationId);
  }

  // The open conversation's own stream: every new message (the customer's, our replies) as it is written.
  // A customer's new message changes the suggested next action (it answers their latest message).
  function followConversation(conversationId) {
    if (state.conversationStream) { state.conversationStream.abort(); }
    state.conversationStream = follow(
      () => "/conversations/" + conversationId + "/events?after=0",
      (name, data) => {
        if (name !== "message") { return; }
        const fresh = data.message.seq > state.lastSeq;
        addMessage(data.message);
        if (fresh && data.message.role === "CUSTOMER" && data.message.seq > state.throughSeq) { refreshNextAction(); }
      });
  }

  async function refreshNextAction() {
    if (!state.handoff) { return; }
    const id = state.handoff.id;
    try {
      const handoff = await api("GET", "/handoffs/" + id);
      if (state.handoff && state.handoff.id === id) { $("detail-next-action").textContent = handoff.package.suggestedNextAction; }
    } catch (e) {
      handleError(e);
    }
  }

  function addMessage(m) {
    if (m.seq <= state.lastSeq) { return; }
    state.lastSeq = m.seq;
    const item = document.createElement("li");
    item.className = m.role + (m.role === "CUSTOMER" && m.seq > state.throughSeq ? " waiting" : "");
    item.dataset.seq = m.seq;
    item.append(text("div", m.role.toLowerCase() + (m.author ? " · " + m.author : ""), "who"), text("div", m.content, "content"));
    $("transcript").append(item);
    $("transcript").scrollTop = $("transcript").scrollHeight;
  }

  async function sendReply(event) {
    event.preventDefault();
    const content = $("reply-text").value.trim();
    if (!content || !state.handoff) { return; }
    try {
      addMessage(await api("POST", "/handoffs/" + state.handoff.id + "/messages", { content }));
      $("reply-text").value = "";
      showError("");
    } catch (e) {
      handleError(e);
    }
  }

  async function resolve(event) {
    event.preventDefault();
    if (!state.handoff) { return; }
    try {
      await api("POST", "/handoffs/" + state.handoff.id + "/resolve",
                { returnToBot: $("resolve-return").checked, note: $("resolve-note").value.trim() || null });
      close();
    } catch (e) {
      handleError(e);
    }
  }

  async function release() {
    if (!state.handoff) { return; }
    try {
      await api("POST", "/handoffs/" + state.handoff.id + "/release");
      close();
    } catch (e) {
      handleError(e);
    }
  }

  function close() {
    if (state.conversationStream) { state.conversationStream.abort(); state.conversationStream = null; }
    state.handoff = null;
    state.claimed = false;
    $("detail").hidden = true;
    $("resolve-note").value = "";
    refreshQueue();
  }

  function handleError(e) {
    if (e.status === 401 || e.status === 403) {
      signOut();
      showError("That key cannot open the agent console: " + e.message);
    } else {
      showError(e.message);
    }
  }

  function signIn(event) {
    event.preventDefault();
    state.key = $("agent-key").value.trim();
    state.name = $("agent-name").value.trim();
    sessionStorage.setItem("colloquy.agentKey", state.key);
    sessionStorage.setItem("colloquy.agentName", state.name);
    start();
  }

  function signOut() {
    [state.queueStream, state.conversationStream].forEach((c) => { if (c) { c.abort(); } });
    state.queueStream = state.conversationStream = null;
    state.key = null;
    state.handoff = null;
    sessionStorage.removeItem("colloquy.agentKey");
    $("workspace").hidden = true;
    $("detail").hidden = true;
    $("welcome").hidden = false;
    $("signin").hidden = false;
    $("whoami").hidden = true;
  }

  function start() {
    $("signin").hidden = true;
    $("whoami").hidden = false;
    $("whoami-name").textContent = state.name || "agent";
    $("welcome").hidden = true;
    $("workspace").hidden = false;
    // the queue is read again on every (re)connection and on every change another agent makes
    state.queueStream = follow(() => "/handoffs/events",
      (name, data) => {
        const current = state.handoff && data.handoffId === state.handoff.id;
        if (name === "customer-message" && current) { return; }
        if (current && !state.claimed && name === "claimed") {
          setMode(false, "Claimed by " + (data.claimedBy || "another agent"));
        } else if (current && !state.claimed && name === "released") {
          setMode(false);
        } else if (current && state.claimed && name === "lease-expired") {
          setMode(false);
          showError("Your claim expired after a while without action; the conversation is back in the queue.");
        }
        if (name !== "ready") { refreshQueue(); }
      },
      refreshQueue);
  }

  $("signin").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("claim-next").addEventListener("click", () => claim(null));
  $("claim").addEventListener("click", () => { if (state.handoff) { claim(state.handoff.id); } });
  $("reply-form").addEventListener("submit", sendReply);
  $("resolve-form").addEventListener("submit", resolve);
  $("release").addEventListener("click", release);
  if (state.key) { start(); }
})();
