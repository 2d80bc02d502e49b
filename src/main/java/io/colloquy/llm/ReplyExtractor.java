package io.colloquy.llm;

import java.util.function.Consumer;

/**
 * Reads the model's structured answer as it arrives and hands on only the customer-facing text: the
 * value of the top-level {@code "reply"} field, decoded, as soon as each character is known. It also
 * reports the two fields that decide whether the reply may be shown at all ({@code needsHuman} and
 * {@code confidence}), which the format asks the model to write before the reply.
 *
 * <p>The reply it produces is the reply of the answer: {@link ModelAnswers#parse} takes the reply from
 * this same reader run over the whole text, so what a widget saw streamed and what the transcript
 * stores cannot differ. An answer that is not a JSON object (the model ignored the format) is plain
 * text, passed on as it comes; a JSON answer without a string reply falls back to the whole text at
 * the end, as a plain-text answer always did. Leading and trailing whitespace is dropped, as
 * {@link String#strip()} would, and a surrogate pair is never split between two pieces.
 */
public final class ReplyExtractor {

    /** The signals that come before the reply. */
    public interface Signals {
        void needsHuman(boolean value);

        void confidence(Double value);
    }

    private enum Mode { DETECT, FENCE, JSON, PLAIN }

    private final Consumer<String> reply;
    private final Signals signals;
    private final StringBuilder all = new StringBuilder();
    private final StringBuilder detected = new StringBuilder();
    private final StringBuilder pendingSpace = new StringBuilder();
    private final StringBuilder out = new StringBuilder();
    private Mode mode = Mode.DETECT;
    private boolean started;
    private boolean emittedAny;
    private char heldHighSurrogate;

    // the JSON reader's state
    private int depth;
    private boolean inString;
    private boolean escape;
    private final StringBuilder unicode = new StringBuilder();
    private boolean inUnicode;
    private boolean expectKey = true;
    private final StringBuilder key = new StringBuilder();
    private boolean readingKey;
    private String currentKey;
    private boolean inReply;
    private boolean replyDone;
    private final StringBuilder scalar = new StringBuilder();
    private boolean readingScalar;

    public ReplyExtractor(Consumer<String> reply, Signals signals) {
        this.reply = reply;
        this.signals = signals;
    }

    /** The reply of a whole answer text, exactly as a stream of the same text would have shown it. */
    public static String extract(String text) {
        StringBuilder sb = new StringBuilder();
        ReplyExtractor extractor = new ReplyExtractor(sb::append, null);
        extractor.feed(text);
        extractor.finish();
        return sb.toString();
    }

    /** Whether any reply text has been handed on. */
    public boolean emittedAny() {
        return emittedAny;
    }

    public void feed(String chunk) {
        if (chunk == null || chunk.isEmpty()) {
            return;
        }
        all.append(chunk);
        for (int i = 0; i < chunk.length(); i++) {
            accept(chunk.charAt(i));
        }
        flush();
    }

    /** The answer is complete: settle what was held back. */
    public void finish() {
        if (mode == Mode.DETECT || mode == Mode.FENCE) {
            // nothing but whitespace or a fence: the whole text is the (plain) answer
            for (int i = 0; i < detected.length(); i++) {
                text(detected.charAt(i));
            }
        } else if (mode == Mode.JSON && !started && !emittedAny) {
            // a JSON answer without a string reply is used as plain text, whole
            String plain = all.toString();
            for (int i = 0; i < plain.length(); i++) {
                text(plain.charAt(i));
            }
        }
        if (readingScalar) {
            endScalar();
        }
        if (heldHighSurrogate != 0) {
            out.append(heldHighSurrogate);
            heldHighSurrogate = 0;
        }
        // trailing whitespace is dropped
        pendingSpace.setLength(0);
        flush();
    }

    private void accept(char c) {
        switch (mode) {
            case DETECT -> detect(c);
            case FENCE -> {
                detected.append(c);
                if (c == '\n') {
                    mode = Mode.DETECT;
                }
            }
            case PLAIN -> text(c);
            case JSON -> json(c);
        }
    }

    private void detect(char c) {
        detected.append(c);
        if (Character.isWhitespace(c)) {
            return;
        }
        if (c == '`') {
            // a markdown fence (```json) before the object: skip its line
            mode = Mode.FENCE;
            return;
        }
        if (c == '{') {
            mode = Mode.JSON;
            depth = 1;
            expectKey = true;
            return;
        }
        mode = Mode.PLAIN;
        for (int i = 0; i < detected.length(); i++) {
            text(detected.charAt(i));
        }
    }

    private void json(char c) {
        if (inString) {
            string(c);
            return;
        }
        if (readingScalar) {
            if (c == ',' || c == '}' || c == ']' || Character.isWhitespace(c)) {
                endScalar();
            } else {
                scalar.append(c);
                return;
            }
        }
        switch (c) {
            case '"' -> {
                inString = true;
                if (depth == 1 && expectKey) {
                    readingKey = true;
                    key.setLength(0);
                } else if (depth == 1 && currentKey != null && currentKey.equals("reply") && !replyDone && !started) {
                    inReply = true;
                    started = true;
                } else if (depth == 1 && currentKey != null) {
                    readingScalar = false;
                }
            }
            case '{', '[' -> depth++;
            case '}', ']' -> {
                depth--;
                if (depth == 1) {
                    currentKey = null;
                }
            }
            case ':' -> {
                if (depth == 1) {
                    expectKey = false;
                }
            }
            case ',' -> {
                if (depth == 1) {
                    expectKey = true;
                    currentKey = null;
                }
            }
            default -> {
                if (depth == 1 && !expectKey && currentKey != null && !Character.isWhitespace(c)) {
                    readingScalar = true;
                    scalar.setLength(0);
                    scalar.append(c);
                }
            }
        }
    }

    private void string(char c) {
        if (inUnicode) {
            unicode.append(c);
            if (unicode.length() == 4) {
                inUnicode = false;
                char decoded;
                try {
                    decoded = (char) Integer.parseInt(unicode.toString(), 16);
                } catch (NumberFormatException e) {
                    decoded = '\uFFFD';
                }
                stringChar(decoded);
            }
            return;
        }
        if (escape) {
            escape = false;
            switch (c) {
                case 'n' -> stringChar('\n');
                case 't' -> stringChar('\t');
                case 'r' -> stringChar('\r');
                case 'b' -> stringChar('\b');
                case 'f' -> stringChar('\f');
                case 'u' -> {
                    inUnicode = true;
                    unicode.setLength(0);
                }
                default -> stringChar(c);
            }
            return;
        }
        if (c == '\\') {
            escape = true;
            return;
        }
        if (c == '"') {
            inString = false;
            if (readingKey) {
                readingKey = false;
                currentKey = key.toString();
            } else if (inReply) {
                inReply = false;
                replyDone = true;
            } else if (depth == 1 && currentKey != null) {
                // a string value of a signal ("confidence": "0.4"), read like a scalar
                signal(currentKey, scalar.toString());
            }
            scalar.setLength(0);
            return;
        }
        stringChar(c);
    }

    private void stringChar(char c) {
        if (readingKey) {
            key.append(c);
        } else if (inReply) {
            text(c);
        } else if (depth == 1 && currentKey != null) {
            scalar.append(c);
        }
    }

    private void endScalar() {
        readingScalar = false;
        if (currentKey != null) {
            signal(currentKey, scalar.toString());
        }
        scalar.setLength(0);
    }

    private void signal(String name, String raw) {
        if (signals == null) {
            return;
        }
        String value = raw.strip();
        if (name.equals("needsHuman")) {
            signals.needsHuman(value.equalsIgnoreCase("true"));
        } else if (name.equals("confidence")) {
            Double confidence = null;
            try {
                confidence = Math.max(0, Math.min(1, Double.parseDouble(value)));
            } catch (NumberFormatException ignored) {
                // unknown confidence
            }
            signals.confidence(confidence);
        }
    }

    /** One character of the reply: leading whitespace dropped, inner whitespace held until text follows it. */
    private void text(char c) {
        if (Character.isWhitespace(c)) {
            if (emittedAny || out.length() > 0 || heldHighSurrogate != 0) {
                pendingSpace.append(c);
            }
            return;
        }
        if (heldHighSurrogate != 0) {
            out.append(heldHighSurrogate);
            heldHighSurrogate = 0;
        }
        if (pendingSpace.length() > 0) {
            out.append(pendingSpace);
            pendingSpace.setLength(0);
        }
        if (Character.isHighSurrogate(c)) {
            heldHighSurrogate = c;
            return;
        }
        out.append(c);
    }

    private void flush() {
        if (out.length() > 0) {
            emittedAny = true;
            reply.accept(out.toString());
            out.setLength(0);
        }
    }
}
