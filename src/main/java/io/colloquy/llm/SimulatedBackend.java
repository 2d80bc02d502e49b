package io.colloquy.llm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.colloquy.usage.CallPurpose;

/**
 * A deterministic stand-in for a real model, for demos, tests and load tests. It answers in the same
 * structured form as a real model (reply, confidence, intent, needsHuman, reasoning summary, next
 * action, facts), reports token usage counted with jtokkit, and says in every reply that it is
 * simulated. Its behaviour follows the customer's wording (see the README's "simulated model").
 */
class SimulatedBackend implements ModelBackend {

    static final String REPLY_PREFIX = "(simulated) ";

    private static final Map<String, String[]> INTENTS = new LinkedHashMap<>();

    static {
        // keyword -> {intent, reply, next action}; the first keyword found wins
        INTENTS.put("refund", new String[] {"refund request",
                "I can help with a refund. I have noted the details you gave.",
                "Check the order's refund eligibility and issue the refund"});
        INTENTS.put("cancel", new String[] {"cancel an order or subscription",
                "I can help you cancel. Let me confirm which item you mean.",
                "Confirm what to cancel and process the cancellation"});
        for (String key : new String[] {"delivery address", "shipping address", "new address"}) {
            INTENTS.put(key, new String[] {"change delivery address",
                    "I have noted the address and will use it for delivery.",
                    "Update the delivery address on the open order"});
        }
        INTENTS.put("track", new String[] {"track a delivery",
                "Let me look up where your delivery is.",
                "Look up the shipment and give the customer its status"});
        INTENTS.put("where is", new String[] {"track a delivery",
                "Let me look up where your delivery is.",
                "Look up the shipment and give the customer its status"});
        INTENTS.put("charge", new String[] {"billing question",
                "I can look into that charge for you.",
                "Review the charges on the customer's account"});
        INTENTS.put("invoice", new String[] {"billing question",
                "I can look into your invoice.",
                "Review the customer's invoice"});
        INTENTS.put("password", new String[] {"account access",
                "I can help you get back into your account.",
                "Send the customer a password reset link"});
        INTENTS.put("broken", new String[] {"report a defect",
                "I'm sorry it arrived broken. I can arrange a replacement.",
                "Arrange a replacement or return for the defective item"});
    }

    private static final String[] HUMAN_CUES = {"human", "real person", "an agent", "a person", "representative",
            "speak to someone", "talk to someone", "manager"};
    private static final String[] RISK_CUES = {"lawyer", "legal", "lawsuit", "sue ", "chargeback", "fraud"};
    private static final String[] DOUBT_CUES = {"complicated", "not sure", "confusing", "doesn't make sense", "unclear"};

    private static final Pattern NAME = Pattern.compile("\\bmy name is ([A-Z][\\p{L}'-]+(?: [A-Z][\\p{L}'-]+)?)");
    private static final Pattern ADDRESS = Pattern.compile(
            "\\b(?:my|the) (?:new )?(?:delivery |shipping |home )?address is (?:now )?([^.!?\\n]{5,120})",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PREFERENCE = Pattern.compile(
            "\\b(?:i prefer|please contact me by|contact me via) ([^.!?\\n]{2,80})", Pattern.CASE_INSENSITIVE);
    private static final Pattern PREVIOUS_INTENT = Pattern.compile("(?m)^Customer intent: (.+)$");

    private final String model;
    private final Duration latency;
    private final Duration jitter;
    private final int chunkChars;
    private final Duration chunkDelay;
    private final TokenCounter tokens;

    SimulatedBackend(LlmProperties.Simulated settings, TokenCounter tokens) {
        this.model = settings.model();
        this.latency = settings.latency();
        this.jitter = settings.jitter();
        this.chunkChars = settings.chunkChars();
        this.chunkDelay = settings.chunkDelay();
        this.tokens = tokens;
    }

    @Override
    public String provider() {
        return "simulated";
    }

    @Override
    public BackendReply call(BackendCall call, StreamListener listener) {
        pause(latency, jitter);
        String text = call.purpose() == CallPurpose.SUMMARIZATION || !call.structured()
                ? summarize(call)
                : ModelAnswers.toJson(answer(call.messages()));
        if (listener != null) {
            // streamed in pieces, with a pause between them, so a demo or a test sees a stream like a real one
            for (int i = 0; i < text.length(); i += chunkChars) {
                if (i > 0) {
                    pause(chunkDelay, Duration.ZERO);
                }
                listener.onText(text.substring(i, Math.min(text.length(), i + chunkChars)));
            }
        }
        int prompt = tokens.countPrompt(model, call.messages());
        int completion = Math.min(tokens.count(model, text), Math.max(call.maxOutputTokens(), 1));
        return new BackendReply(text, model, prompt, 0, completion);
    }

    ModelAnswer answer(List<PromptMessage> messages) {
        String customer = lastOf(messages, PromptMessage.Kind.USER);
        String lower = customer.toLowerCase(Locale.ROOT);
        String[] intent = null;
        for (var e : INTENTS.entrySet()) {
            if (lower.contains(e.getKey())) {
                intent = e.getValue();
                break;
            }
        }
        String intentName = intent != null ? intent[0] : previousIntent(messages);
        double confidence = 0.86;
        String cue = "the request is routine";
        boolean needsHuman = false;
        String handoffReason = null;
        if (containsAny(lower, HUMAN_CUES)) {
            needsHuman = true;
            handoffReason = "The customer asked for a person";
            cue = "the customer asked for a person";
        } else if (containsAny(lower, RISK_CUES)) {
            confidence = 0.3;
            cue = "the message raises a legal or fraud risk";
        } else if (containsAny(lower, DOUBT_CUES)) {
            confidence = 0.45;
            cue = "the customer's situation is unclear";
        }
        List<ModelAnswer.Fact> facts = new ArrayList<>();
        find(NAME, customer).ifPresent(v -> facts.add(new ModelAnswer.Fact("customer_name", v)));
        find(ADDRESS, customer).ifPresent(v -> facts.add(new ModelAnswer.Fact("delivery_address", v)));
        find(PREFERENCE, customer).ifPresent(v -> facts.add(new ModelAnswer.Fact("contact_preference", v)));
        String reply = needsHuman ? "I'll bring in a member of our team to help you with this."
                : intent != null ? intent[1]
                : facts.isEmpty() ? "Thanks for your message. Could you tell me a little more about what you need?"
                : "Thanks, I have noted that.";
        List<String> open = new ArrayList<>();
        int q = customer.indexOf('?');
        if (q > 0) {
            int start = Math.max(Math.max(customer.lastIndexOf('.', q), customer.lastIndexOf('!', q)) + 1, 0);
            open.add(customer.substring(start, q + 1).strip());
        }
        String next = needsHuman ? "Introduce yourself and continue from the customer's last message"
                : intent != null ? intent[2]
                : "Ask the customer what they need";
        return new ModelAnswer(REPLY_PREFIX + reply, confidence, intentName, needsHuman, handoffReason,
                "Classified the message as '" + intentName + "' from its wording; " + cue + ".",
                next, facts, open, true);
    }

    /**
     * An extractive summary: the previous summary plus the customer's sentences that carry numbers,
     * identifiers or requests, within the answer's token limit.
     */
    private String summarize(BackendCall call) {
        String input = lastOf(call.messages(), PromptMessage.Kind.USER);
        StringBuilder out = new StringBuilder();
        int marker = input.indexOf("Previous summary:");
        int chunk = input.indexOf("Conversation to fold in:");
        if (marker >= 0 && chunk > marker) {
            String previous = input.substring(marker + "Previous summary:".length(), chunk).strip();
            if (!previous.isEmpty() && !previous.equals("(none)")) {
                out.append(previous).append(' ');
            }
        }
        String body = chunk >= 0 ? input.substring(chunk) : input;
        for (String line : body.split("\n")) {
            if (!line.startsWith("Customer:")) {
                continue;
            }
            for (String sentence : line.substring("Customer:".length()).split("(?<=[.!?])\\s+")) {
                String s = sentence.strip();
                if (!s.isEmpty() && (s.matches(".*\\d.*") || s.contains("@") || s.toLowerCase(Locale.ROOT)
                        .matches(".*\\b(want|need|please|refund|cancel|address|name|prefer|order)\\b.*"))) {
                    out.append("Customer: ").append(s).append(' ');
                }
            }
        }
        String summary = out.toString().strip();
        return tokens.truncate(model, summary.isEmpty() ? "No new facts." : summary, call.maxOutputTokens());
    }

    private static String previousIntent(List<PromptMessage> messages) {
        for (PromptMessage m : messages) {
            if (m.kind() == PromptMessage.Kind.SYSTEM) {
                Matcher matcher = PREVIOUS_INTENT.matcher(m.content());
                if (matcher.find()) {
                    return matcher.group(1).strip();
                }
            }
        }
        return "general question";
    }

    private static java.util.Optional<String> find(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? java.util.Optional.of(m.group(1).strip()) : java.util.Optional.empty();
    }

    private static String lastOf(List<PromptMessage> messages, PromptMessage.Kind kind) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).kind() == kind) {
                return messages.get(i).content();
            }
        }
        return "";
    }

    private static boolean containsAny(String text, String[] cues) {
        for (String cue : cues) {
            if (text.contains(cue)) {
                return true;
            }
        }
        return false;
    }

    private static void pause(Duration latency, Duration jitter) {
        long millis = latency.toMillis();
        if (!jitter.isZero()) {
            millis += ThreadLocalRandom.current().nextLong(jitter.toMillis() + 1);
        }
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UpstreamException(io.colloquy.usage.CallOutcome.TIMEOUT, null, null, "interrupted", e);
            }
        }
    }
}
