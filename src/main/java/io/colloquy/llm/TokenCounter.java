package io.colloquy.llm;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

import org.springframework.stereotype.Component;

/**
 * Counts tokens the way the model will, with jtokkit. The gpt-4o, gpt-4.1, gpt-5 and o-series models
 * use o200k_base; jtokkit's own prefix lookup maps some of those names to cl100k_base, so they are
 * chosen here explicitly. Unknown names (local models) fall back to cl100k_base.
 */
@Component
public class TokenCounter {

    /** Chat formatting adds a few tokens around each message and before the reply. */
    static final int PER_MESSAGE_OVERHEAD = 4;
    static final int REPLY_PRIMING = 3;

    /** Above this many cached counts the cache starts over (a few MB at most). */
    private static final int CACHE_LIMIT = 50_000;

    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
    /**
     * Counts of texts seen recently, per encoding. A turn counts the same transcript messages, facts
     * and instructions several times, and the next turn counts most of them again; byte-pair encoding
     * is the costly part of building a prompt.
     */
    private final Map<EncodingType, ConcurrentHashMap<String, Integer>> cache =
            new EnumMap<>(EncodingType.class);

    public Encoding encodingFor(String model) {
        return registry.getEncoding(encodingTypeFor(model));
    }

    EncodingType encodingTypeFor(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        if (m.startsWith("gpt-4o") || m.startsWith("gpt-4.1") || m.startsWith("gpt-5") || m.startsWith("o1")
                || m.startsWith("o3") || m.startsWith("o4") || m.startsWith("chatgpt-4o") || m.startsWith("simulated")) {
            return EncodingType.O200K_BASE;
        }
        Optional<EncodingType> known = registry.getEncodingForModel(m).map(Encoding::getName)
                .flatMap(EncodingType::fromName);
        return known.orElse(EncodingType.CL100K_BASE);
    }

    public int count(String model, String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        EncodingType type = encodingTypeFor(model);
        ConcurrentHashMap<String, Integer> counts;
        synchronized (cache) {
            counts = cache.computeIfAbsent(type, t -> new ConcurrentHashMap<>());
        }
        Integer known = counts.get(text);
        if (known != null) {
            return known;
        }
        int counted = registry.getEncoding(type).countTokens(text);
        if (counts.size() >= CACHE_LIMIT) {
            counts.clear();
        }
        counts.put(text, counted);
        return counted;
    }

    /** Tokens of one prompt message including its formatting overhead. */
    public int countMessage(String model, String text) {
        return count(model, text) + PER_MESSAGE_OVERHEAD;
    }

    /** Tokens a whole prompt occupies in the model's context window. */
    public int countPrompt(String model, List<PromptMessage> messages) {
        int total = REPLY_PRIMING;
        for (PromptMessage m : messages) {
            total += count(model, m.content()) + PER_MESSAGE_OVERHEAD;
        }
        return total;
    }

    /** The longest prefix of {@code text} that fits in {@code maxTokens}, cut at a word where possible. */
    public String truncate(String model, String text, int maxTokens) {
        return fit(model, text, maxTokens, true);
    }

    /** The longest suffix of {@code text} that fits in {@code maxTokens}, cut at a word where possible. */
    public String truncateStart(String model, String text, int maxTokens) {
        return fit(model, text, maxTokens, false);
    }

    /**
     * Binary search for the longest prefix (or suffix) within the limit. Token counts only grow with
     * the text, so the search is exact up to the word cut that follows it.
     */
    private String fit(String model, String text, int maxTokens, boolean keepStart) {
        if (maxTokens <= 0 || text == null) {
            return "";
        }
        if (count(model, text) <= maxTokens) {
            return text;
        }
        Encoding encoding = encodingFor(model);
        int low = 0;
        int high = text.length();
        // the longest kept length whose part fits
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            String part = keepStart ? text.substring(0, mid) : text.substring(text.length() - mid);
            if (encoding.countTokens(part) <= maxTokens) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        if (keepStart) {
            String cut = text.substring(0, low);
            int space = cut.lastIndexOf(' ');
            return space > low / 2 ? cut.substring(0, space) : cut;
        }
        String cut = text.substring(text.length() - low);
        int space = cut.indexOf(' ');
        return space >= 0 && space < low / 2 ? cut.substring(space + 1) : cut;
    }
}
