package io.colloquy.memory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import io.colloquy.conversation.Conversations;
import io.colloquy.conversation.Message;
import io.colloquy.llm.LlmClient;
import io.colloquy.llm.ModelAnswer;
import io.colloquy.llm.TokenCounter;
import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.shared.Traces;
import io.colloquy.tenant.TenantSettings;

/**
 * Session-scoped memory: builds each turn's prompt under the tenant's token budget, compacting older
 * turns into a running summary when the history passes its trigger, pins key facts outside the
 * summary, and recalls archived turns relevant to the customer's new message. The transcript is never
 * changed; memory is a derived row per conversation (plus the archive's search index).
 */
@Service
@EnableConfigurationProperties(MemoryProperties.class)
public class SessionMemory {

    private static final int MAX_FACTS = 200;
    /** How many of the assistant's latest confidences a prepared context carries (see {@link PreparedContext#earlierConfidences}). */
    public static final int ANSWER_HISTORY = 10;

    private final TransactionTemplate readTogether;
    private final MemoryRows rows;
    private final Conversations conversations;
    private final TokenCounter tokens;
    private final MemoryProperties properties;
    private final ContextAssembler assembler;
    private final Compactor compactor;
    private final RecallIndex recall;
    private final RecallQuotes quotes;
    private final LlmClient llm;
    private final Clock clock;
    private final Timer prepareTimer;
    private final Timer compactingPrepareTimer;
    private final Timer recallTimer;
    private final ObservationRegistry observations;

    SessionMemory(MemoryRows rows, Conversations conversations, TokenCounter tokens,
                  MemoryProperties properties, LlmClient llm, RecallIndex recall, Clock clock, MeterRegistry meters,
                  ObservationRegistry observations, PlatformTransactionManager transactions) {
        this.rows = rows;
        this.readTogether = new TransactionTemplate(transactions);
        this.readTogether.setReadOnly(true);
        this.conversations = conversations;
        this.tokens = tokens;
        this.properties = properties;
        this.llm = llm;
        this.clock = clock;
        this.observations = observations;
        this.assembler = new ContextAssembler(tokens, properties);
        this.compactor = new Compactor(llm, tokens, clock);
        this.recall = recall;
        this.quotes = new RecallQuotes(tokens);
        this.prepareTimer = prepareTimer(meters, false);
        this.compactingPrepareTimer = prepareTimer(meters, true);
        this.recallTimer = Timer.builder("colloquy.memory.recall")
                .description("Searching a conversation's archive and choosing the quotes for a prompt")
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    /** Time spent building a turn's context, split by whether it compacted (which includes the summarizer). */
    private static Timer prepareTimer(MeterRegistry meters, boolean compacted) {
        return Timer.builder("colloquy.memory.prepare").description("Building a turn's context under the budget")
                .tag("compacted", String.valueOf(compacted))
                .publishPercentiles(0.5, 0.99)
                .register(meters);
    }

    /** The model a tenant's prompts are counted for and sent to. */
    public String modelFor(TenantSettings settings) {
        return llm.primaryModel(settings);
    }

    /**
     * Refuses a customer message that one prompt of the tenant's budget could not take whole (before
     * anything is stored): the instructions and the message must fit, and the message may take at most
     * {@code colloquy.memory.max-message-share} of the budget, so a message is never cut on its way to
     * the model.
     */
    public void requireFits(TenantSettings settings, String content) {
        String model = modelFor(settings);
        int budget = settings.contextTokenBudget();
        int limit = assembler.longestMessage(model, assembler.instructions(model, settings.policyTopics(), budget),
                budget);
        int size = tokens.countMessage(model, content);
        if (size > limit) {
            throw new MessageTooLongException(size, limit, budget);
        }
    }

    /**
     * What a turn's prompt is built from, read in one transaction: the memory, the messages it does not
     * cover yet (through the customer's message being answered) and the model's latest confidences.
     */
    public static final class PromptSource {
        private final TenantId tenantId;
        private final ConversationId conversationId;
        private final MemoryState state;
        private final List<Message> recent;
        private final List<Double> earlierConfidences;

        private PromptSource(TenantId tenantId, ConversationId conversationId, MemoryState state, List<Message> recent,
                             List<Double> earlierConfidences) {
            this.tenantId = tenantId;
            this.conversationId = conversationId;
            this.state = state;
            this.recent = List.copyOf(recent);
            this.earlierConfidences = earlierConfidences;
        }
    }

    /**
     * Reads what the prompt answering the customer message {@code throughSeq} is built from, inside the
     * caller's transaction: a synchronous turn reads it in the transaction that stored the message, so the
     * turn needs no transaction of its own for it.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public PromptSource readForPrompt(TenantId tenantId, ConversationId conversationId, int throughSeq) {
        return promptSource(tenantId, conversationId, throughSeq);
    }

    private PromptSource promptSource(TenantId tenantId, ConversationId conversationId, int throughSeq) {
        MemoryState s = rows.read(tenantId, conversationId);
        List<Message> messages = new ArrayList<>(conversations.messagesBetween(tenantId, conversationId,
                s.coveredThroughSeq(), throughSeq));
        if (messages.isEmpty() || messages.getLast().seq() != throughSeq) {
            // a queued turn answered late, after later turns were already compacted: its message still goes last
            conversations.message(tenantId, conversationId, throughSeq).ifPresent(messages::add);
        }
        return new PromptSource(tenantId, conversationId, s, messages,
                conversations.latestConfidences(tenantId, conversationId, ANSWER_HISTORY));
    }

    /**
     * Builds the prompt that answers the customer message {@code throughSeq} (the transcript up to and
     * including it), reading its source in one read-only transaction of its own. Runs outside any
     * transaction: compaction may call the summarizer.
     */
    public PreparedContext prepare(TenantId tenantId, ConversationId conversationId, TenantSettings settings,
                                   int throughSeq, Instant deadline) {
        return prepare(readTogether.execute(status -> promptSource(tenantId, conversationId, throughSeq)), settings,
                deadline);
    }

    /** Builds the prompt from a source already read ({@link #readForPrompt}); runs outside any transaction. */
    public PreparedContext prepare(PromptSource source, TenantSettings settings, Instant deadline) {
        // the span of context assembly (a summarizer's model attempts are its children); the timers stay as they were
        Observation observation = Traces.observation("colloquy.memory.assembly", observations, source.tenantId,
                        source.conversationId)
                .lowCardinalityKeyValue("colloquy.memory.compacted", "false");
        return observation.observe(() -> {
            long started = System.nanoTime();
            PreparedContext context = build(source, settings, deadline);
            (context.compacted() != null ? compactingPrepareTimer : prepareTimer)
                    .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
            observation.lowCardinalityKeyValue("colloquy.memory.compacted", String.valueOf(context.compacted() != null))
                    .highCardinalityKeyValue("colloquy.memory.prompt.tokens", String.valueOf(context.promptTokens()))
                    .highCardinalityKeyValue("colloquy.memory.budget", String.valueOf(context.budget()));
            return context;
        });
    }

    private PreparedContext build(PromptSource source, TenantSettings settings, Instant deadline) {
        TenantId tenantId = source.tenantId;
        ConversationId conversationId = source.conversationId;
        String model = modelFor(settings);
        int budget = settings.contextTokenBudget();
        MemoryState state = source.state;
        List<Message> recent = source.recent;
        String instructions = assembler.instructions(model, settings.policyTopics(), budget);

        MemoryState compacted = null;
        var calls = new ArrayList<io.colloquy.usage.RecordedCall>();
        int fixed = assembler.fixedTokens(model, instructions, state, budget);
        if (fixed + verbatimTokens(model, recent) > budget * properties.compactionTrigger()) {
            // keep at most half the room left under the trigger, so the next compaction is turns away
            int headroom = (int) (budget * properties.compactionTrigger()) - fixed;
            int keep = Math.min((int) (budget * properties.keepRecent()), Math.max(headroom / 2, 0));
            int cut = cutPoint(model, recent, keep);
            if (cut > 0) {
                int summaryCeiling = (int) (budget * properties.summaryShare());
                Compactor.Result result = compactor.fold(tenantId, conversationId, model, state.summary(),
                        recent.subList(0, cut), budget, summaryCeiling, midpoint(deadline));
                calls.addAll(result.calls());
                compacted = state.withCompaction(result.summary(), result.summaryTokens(), result.coveredThroughSeq(),
                        result.extractive());
                // archived now (one statement, outside the turn's transactions; archiving twice changes nothing),
                // so this very turn can already recall what it just folded
                recall.archive(tenantId, conversationId, state.coveredThroughSeq(), compacted.coveredThroughSeq());
                state = compacted;
                recent = recent.subList(cut, recent.size());
            }
        }
        List<MemoryView.Recalled> recalled = recall(tenantId, conversationId, model, state, recent.getLast(), budget);
        ContextAssembler.Assembled assembled = assembler.assemble(model, instructions, state, recalled, recent, budget);
        return new PreparedContext(tenantId, conversationId, model, assembled.prompt(), assembled.tokens(), budget,
                compacted, calls, assembled.recalled(), source.earlierConfidences, source.state);
    }

    /**
     * The archived messages worth quoting for the customer's message. Nothing is searched when nothing is
     * archived yet (most conversations), when recall is off, or when the message has no word to search by.
     */
    private List<MemoryView.Recalled> recall(TenantId tenantId, ConversationId conversationId, String model,
                                             MemoryState state, Message current, int budget) {
        int ceiling = (int) (budget * properties.recallShare());
        if (state.coveredThroughSeq() == 0 || ceiling <= 0 || RecallQuotes.stems(current.content()).isEmpty()) {
            return List.of();
        }
        long started = System.nanoTime();
        List<RecallIndex.Hit> hits = recall.search(tenantId, conversationId, current.content(),
                state.coveredThroughSeq(), state.coveredThroughSeq(), properties.recallCandidates());
        List<MemoryView.Recalled> chosen = quotes.choose(model, current.content(), hits, ceiling);
        recallTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        return chosen;
    }

    /**
     * Pins the identifiers in a newly appended customer message (inside the caller's transaction), so
     * they are kept even when the model forgets them or is down.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void pinFromCustomerMessage(TenantId tenantId, ConversationId conversationId, Message message) {
        List<ModelAnswer.Fact> found = FactExtractor.extract(message.content());
        if (found.isEmpty()) {
            return;
        }
        // the caller holds the conversation's row lock, which serialises every writer of this row
        MemoryState s = rows.read(tenantId, conversationId);
        rows.write(tenantId, conversationId, mergeFacts(s, found, message.seq(), "EXTRACTED"), clock.instant());
    }

    /**
     * Applies a finished turn (inside the caller's transaction): the compaction done while preparing,
     * the facts the model reported, its intent and open questions, and the prompt size.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void commitTurn(PreparedContext context, ModelAnswer answer, int customerSeq) {
        // the memory as read for the prompt is written back with the turn, unless it changed meanwhile (the
        // turn's lease keeps other turns away, but not, say, an erasure): then it is read again under the
        // conversation's row lock, which the caller holds and which serialises every writer of this row
        TenantId tenantId = context.tenantId();
        ConversationId conversationId = context.conversationId();
        Instant now = clock.instant();
        if (!rows.writeIfUnchanged(tenantId, conversationId, afterTurn(context.memoryRead(), context, answer, customerSeq),
                now)) {
            rows.write(tenantId, conversationId,
                    afterTurn(rows.read(tenantId, conversationId), context, answer, customerSeq), now);
        }
    }

    /** The memory {@code s} with a finished turn applied. */
    private MemoryState afterTurn(MemoryState s, PreparedContext context, ModelAnswer answer, int customerSeq) {
        MemoryState compacted = context.compacted();
        if (compacted != null && compacted.coveredThroughSeq() > s.coveredThroughSeq()) {
            s = s.withSummaryOf(compacted);
        }
        if (answer != null) {
            s = mergeFacts(s, answer.facts(), customerSeq, "MODEL");
            // an answer without an intent keeps the last one: a filler turn does not erase what the customer wants
            String intent = answer.intent() != null ? answer.intent() : s.intent();
            s = s.withIntent(intent, answer.structured() ? answer.openQuestions() : s.openQuestions());
        }
        return s.withLastPrompt(context.promptTokens(), context.recalled());
    }

    @Transactional(readOnly = true)
    public MemoryView view(TenantId tenantId, ConversationId conversationId, int budget) {
        conversations.get(tenantId, conversationId);
        MemoryState s = rows.read(tenantId, conversationId);
        List<MemoryView.FactView> facts = s.facts().stream()
                .map(f -> new MemoryView.FactView(f.key(), f.value(), f.sourceSeq(), f.previousValue(), f.origin()))
                .toList();
        return new MemoryView(conversationId.value(), s.summary(), facts, s.intent(), s.openQuestions(),
                s.coveredThroughSeq(), new MemoryView.Tokens(budget, s.lastPromptTokens(), s.summaryTokens()),
                s.compactions(), s.extractiveCompactions(), s.version(), s.updatedAt(), s.lastRecall());
    }

    /**
     * Merges facts by key: a new value of the same slot replaces the old one and remembers it; a key that
     * collects values (family, pets, allergies, likes) gains the new one; the same value changes nothing.
     * Past {@link #MAX_FACTS}, the least useful fact makes room for the new one.
     */
    private MemoryState mergeFacts(MemoryState s, List<ModelAnswer.Fact> incoming, int seq, String origin) {
        if (incoming.isEmpty()) {
            return s;
        }
        Map<String, PinnedFact> byKey = new LinkedHashMap<>();
        s.facts().forEach(f -> byKey.put(f.key(), f));
        Instant now = clock.instant();
        for (ModelAnswer.Fact fact : incoming) {
            String key = FactExtractor.canonicalKey(fact.key());
            String value = fact.value().strip();
            PinnedFact current = byKey.get(key);
            if (current == null) {
                if (byKey.size() >= MAX_FACTS) {
                    int newest = byKey.values().stream().mapToInt(PinnedFact::sourceSeq).max().orElse(seq);
                    byKey.values().stream()
                            .min(java.util.Comparator.comparingDouble(f -> FactRanking.standing(f, newest)))
                            .ifPresent(f -> byKey.remove(f.key()));
                }
                byKey.put(key, new PinnedFact(key, value, seq, null, origin, now));
            } else if (FactExtractor.accumulates(key)) {
                String merged = collect(current.value(), value);
                if (!merged.equals(current.value())) {
                    byKey.put(key, new PinnedFact(key, merged, seq, current.previousValue(), origin, now));
                }
            } else if (!same(current.value(), value)) {
                byKey.put(key, new PinnedFact(key, value, seq, current.value(), origin, now));
            }
        }
        return s.withFacts(List.copyOf(byKey.values()));
    }

    /** The values of a collecting fact plus a new one (once), the oldest dropped past a modest length. */
    private static String collect(String values, String value) {
        List<String> all = new ArrayList<>(List.of(values.split(",\\s*")));
        for (String v : value.split(",\\s*")) {
            if (all.stream().noneMatch(a -> same(a, v))) {
                all.add(v.strip());
            }
        }
        while (all.size() > 1 && String.join(", ", all).length() > 160) {
            all.removeFirst();
        }
        return String.join(", ", all);
    }

    private static boolean same(String a, String b) {
        return normalize(a).equals(normalize(b));
    }

    private static String normalize(String v) {
        return v.toLowerCase(Locale.ROOT).replaceAll("[\\s.,;:!]+", " ").strip();
    }

    private int verbatimTokens(String model, List<Message> messages) {
        int total = 0;
        for (Message m : messages) {
            total += tokens.countMessage(model, ContextAssembler.toPrompt(m).content());
        }
        return total;
    }

    /**
     * Where to cut: the earliest customer message from which the rest fits in {@code keep} tokens.
     * The current turn always stays verbatim; 0 means there is nothing to fold.
     */
    private int cutPoint(String model, List<Message> recent, int keep) {
        int lastTurnStart = -1;
        for (int i = recent.size() - 1; i >= 0; i--) {
            if (Compactor.startsTurn(recent.get(i))) {
                lastTurnStart = i;
                break;
            }
        }
        if (lastTurnStart <= 0) {
            return 0;
        }
        int cut = lastTurnStart;
        int kept = 0;
        for (int i = recent.size() - 1; i >= 0; i--) {
            kept += tokens.countMessage(model, ContextAssembler.toPrompt(recent.get(i)).content());
            if (kept > keep) {
                break;
            }
            if (Compactor.startsTurn(recent.get(i))) {
                cut = i;
            }
        }
        return cut;
    }

    /** Summarizing may use at most half the time left, so the answer itself still has time. */
    private Instant midpoint(Instant deadline) {
        Instant now = clock.instant();
        return now.plus(java.time.Duration.between(now, deadline).dividedBy(2));
    }
}
