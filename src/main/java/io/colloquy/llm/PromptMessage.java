package io.colloquy.llm;

/** One message of a prompt, in the chat-completions sense. */
public record PromptMessage(Kind kind, String content) {

    public enum Kind { SYSTEM, USER, ASSISTANT }

    public static PromptMessage system(String content) {
        return new PromptMessage(Kind.SYSTEM, content);
    }

    public static PromptMessage user(String content) {
        return new PromptMessage(Kind.USER, content);
    }

    public static PromptMessage assistant(String content) {
        return new PromptMessage(Kind.ASSISTANT, content);
    }
}
