package io.colloquy.memory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.colloquy.conversation.Message;
import io.colloquy.llm.TokenCounter;

/**
 * The summary memory writes itself when the summarizer fails or is unavailable. It condenses instead of
 * forgetting: each compaction adds a section (a line labelled with its messages and date) holding the
 * salient sentences of what the customer, agents and notes said; over the ceiling, sentences of the
 * oldest sections go first (the least salient of each), then the oldest sections merge, so older parts
 * are condensed further and none is dropped whole until a single sentence stands for it. A previous
 * summary written by the model is kept as the oldest section and condensed the same way.
 *
 * <p>Salience counts what a person would want kept: numbers and dates, names, relations ("my sister"),
 * commitments and decisions, stated preferences, requests; greetings and small talk count against a
 * sentence, and a question mark counts for nothing.
 */
final class ExtractiveSummary {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final Pattern SECTION = Pattern.compile("^\\[(#\\d+-#\\d+(?:, [0-9-]+)?|earlier)] (.*)$");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?…])\\s+");
    private static final String CUSTOMER_SAID = "Customer said: ";
    /** Past this many sections an over-long summary merges its oldest before condensing them. */
    private static final int MAX_SECTIONS = 8;

    private static final Pattern DIGIT = Pattern.compile("\\d");
    private static final Pattern DATE_WORD = Pattern.compile("\\b(january|february|march|april|may|june|july|august|"
            + "september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|"
            + "tonight|next (?:week|month|year)|weekend)\\b");
    private static final Pattern IDENTIFIER = Pattern.compile("@|\\b[A-Z]{1,4}-?\\d{3,}\\b");
    private static final Pattern RELATION = Pattern.compile("\\b(?:my|our) (?:\\w+ )?(wife|husband|partner|boyfriend|"
            + "girlfriend|fianc[ée]e?|son|daughter|kids?|children|baby|sister|brother|mom|mum|mother|dad|father|parents|"
            + "grandmother|grandma|grandfather|grandpa|aunt|uncle|cousin|niece|nephew|friend|boss|neighbou?r|"
            + "roommate|colleague|dog|cat|puppy|kitten|pet|parrot|rabbit|hamster|horse)s?\\b");
    private static final Pattern COMMITMENT = Pattern.compile("\\b(will|won't|going to|gonna|plan\\w*|decid\\w*|"
            + "agree\\w*|promis\\w*|book\\w*|schedul\\w*|appointment|deadline|sign\\w*|mov(?:e|ed|ing)|start\\w*|"
            + "quit|bought|sold|order\\w*|adopt\\w*|married|wedding|birthday|graduat\\w*|trip|flight|flying)\\b");
    private static final Pattern PREFERENCE = Pattern.compile("\\b(prefer\\w*|favou?rite|lov(?:e|ed|es)|hate\\w*|"
            + "allergic|can't stand|don't like|enjoy\\w*|vegetarian|vegan|gluten|lactose|dislike\\w*)\\b");
    private static final Pattern REQUEST = Pattern.compile("\\b(want|need|would like|cancel\\w*|refund\\w*|return\\w*|"
            + "replace\\w*|chang\\w*|address|problem|issue|broken|wrong|charg\\w*|invoice|deliver\\w*|complain\\w*)\\b");
    private static final Pattern SMALL_TALK = Pattern.compile("^(hi|hello|hey|thanks|thank you|ok|okay|sure|great|cool|"
            + "lol|haha|good (?:morning|evening|night|afternoon)|bye|see you|sounds good|no worries|alright|nice|wow|"
            + "oh|yes|yeah|no|hope)\\b");
    private static final Pattern CAPITALISED = Pattern.compile("(?<=\\s)[A-Z][\\p{L}'-]+");

    private final TokenCounter tokens;

    ExtractiveSummary(TokenCounter tokens) {
        this.tokens = tokens;
    }

    /** A part of the summary: what one compaction (or a merge of several) kept. */
    record Section(String label, List<String> sentences) {
    }

    /**
     * {@code previous} with a section for {@code messages} added, condensed to {@code ceiling} tokens.
     * Only the customer's, agents' and notes' words are kept: the model's replies mostly echo them.
     */
    String fold(String model, String previous, List<Message> messages, int ceiling) {
        List<Section> sections = new ArrayList<>(parse(previous));
        // a long message split over two summarizer calls comes twice: its sentences are kept once
        java.util.Set<String> known = new java.util.HashSet<>();
        sections.forEach(s -> known.addAll(s.sentences()));
        List<String> kept = new ArrayList<>();
        for (Message m : messages) {
            String speaker = switch (m.role()) {
                case CUSTOMER -> "";
                case AGENT -> "Agent: ";
                case SYSTEM -> "Note: ";
                case ASSISTANT -> null;
            };
            if (speaker == null) {
                continue;
            }
            for (String sentence : SENTENCE_END.split(m.content().replace('\n', ' ').strip())) {
                String s = sentence.strip();
                if (!s.isEmpty() && salience(s) >= 1 && known.add(speaker + s)) {
                    kept.add(speaker + s);
                }
            }
        }
        if (!kept.isEmpty()) {
            sections.add(new Section(label(messages), kept));
        }
        return condense(model, sections, ceiling);
    }

    /** The sections of a summary; prose (a summary the model wrote) is one section, the oldest. */
    static List<Section> parse(String summary) {
        List<Section> sections = new ArrayList<>();
        StringBuilder prose = new StringBuilder();
        for (String line : summary.strip().split("\n")) {
            Matcher m = SECTION.matcher(line.strip());
            if (m.matches()) {
                String body = m.group(2).startsWith(CUSTOMER_SAID) ? m.group(2).substring(CUSTOMER_SAID.length())
                        : m.group(2);
                sections.add(new Section(m.group(1), sentences(body)));
            } else if (!line.isBlank()) {
                prose.append(line.strip()).append(' ');
            }
        }
        if (!prose.isEmpty()) {
            sections.addFirst(new Section("earlier", sentences(prose.toString())));
        }
        return sections;
    }

    static String render(List<Section> sections) {
        StringBuilder s = new StringBuilder();
        for (Section section : sections) {
            if (section.sentences().isEmpty()) {
                continue;
            }
            s.append('[').append(section.label()).append("] ").append(CUSTOMER_SAID)
                    .append(String.join(" ", section.sentences())).append('\n');
        }
        return s.toString().strip();
    }

    /**
     * Condenses to the ceiling: the victim is the section with the most tokens weighted by its age (so the
     * oldest give way first, the newest last); it loses its least salient sentence, and when every section
     * is down to one sentence the two oldest merge.
     */
    String condense(String model, List<Section> input, int ceiling) {
        List<Section> sections = new ArrayList<>();
        input.forEach(s -> sections.add(new Section(s.label(), new ArrayList<>(s.sentences()))));
        sections.removeIf(s -> s.sentences().isEmpty());
        // sums of cached per-sentence counts steer the loop; the rendered text is counted only to confirm
        while (!sections.isEmpty()
                && (estimate(model, sections) > ceiling || tokens.count(model, render(sections)) > ceiling)) {
            if (sections.size() > MAX_SECTIONS) {
                // many small parts: each label costs tokens, so the two oldest become one first
                mergeOldest(sections);
                continue;
            }
            int victim = -1;
            double heaviest = -1;
            for (int i = 0; i < sections.size(); i++) {
                Section s = sections.get(i);
                if (s.sentences().size() < 2) {
                    continue;
                }
                int age = sections.size() - 1 - i;
                double weight = (double) sentenceTokens(model, s) * (1 + age);
                if (weight > heaviest) {
                    heaviest = weight;
                    victim = i;
                }
            }
            if (victim >= 0) {
                List<String> sentences = sections.get(victim).sentences();
                int weakest = 0;
                for (int j = 1; j < sentences.size(); j++) {
                    if (salience(sentences.get(j)) < salience(sentences.get(weakest))) {
                        weakest = j;
                    }
                }
                sentences.remove(weakest);
            } else if (sections.size() >= 2) {
                mergeOldest(sections);
            } else {
                // one sentence left over the ceiling: its start is what fits
                Section only = sections.getFirst();
                String cut = tokens.truncate(model, only.sentences().getFirst(),
                        Math.max(1, ceiling - tokens.count(model, "[" + only.label() + "] " + CUSTOMER_SAID) - 2));
                return tokens.truncate(model, render(List.of(new Section(only.label(), List.of(cut)))), ceiling);
            }
        }
        return render(sections);
    }

    private int estimate(String model, List<Section> sections) {
        int total = 0;
        for (Section s : sections) {
            total += tokens.count(model, "[" + s.label() + "] " + CUSTOMER_SAID) + sentenceTokens(model, s) + 1;
        }
        return total;
    }

    private int sentenceTokens(String model, Section s) {
        int total = 0;
        for (String sentence : s.sentences()) {
            total += tokens.count(model, sentence) + 1;
        }
        return total;
    }

    private static void mergeOldest(List<Section> sections) {
        Section older = sections.removeFirst();
        Section newer = sections.removeFirst();
        List<String> merged = new ArrayList<>(older.sentences());
        merged.addAll(newer.sentences());
        sections.addFirst(new Section(mergeLabels(older.label(), newer.label()), merged));
    }

    /** How much a sentence is worth keeping (see the class comment); under 1 it is not kept at all. */
    static double salience(String sentence) {
        String s = sentence.startsWith("Note: ") || sentence.startsWith("Agent: ")
                ? sentence.substring(sentence.indexOf(' ') + 1) : sentence;
        String lower = s.toLowerCase(Locale.ROOT);
        int words = s.split("\\s+").length;
        double score = 0;
        boolean concrete = false;
        if (DIGIT.matcher(s).find()) {
            score += 2;
            concrete = true;
        }
        if (DATE_WORD.matcher(lower).find()) {
            score += 2;
            concrete = true;
        }
        if (IDENTIFIER.matcher(s).find()) {
            score += 2;
            concrete = true;
        }
        long names = CAPITALISED.matcher(s).results()
                .filter(r -> !r.group().equals("I") && !r.group().startsWith("I'")).count();
        if (names > 0) {
            score += Math.min(3, 1.5 * names);
            concrete = true;
        }
        if (RELATION.matcher(lower).find()) {
            score += 2;
        }
        if (COMMITMENT.matcher(lower).find()) {
            score += 2;
        }
        if (PREFERENCE.matcher(lower).find()) {
            score += 2;
        }
        if (REQUEST.matcher(lower).find()) {
            score += 2;
        }
        if (words < 4) {
            score -= 2;
        } else if (words > 40) {
            score -= 1;
        }
        if (words < 8 && SMALL_TALK.matcher(lower).find()) {
            score -= 3;
        }
        if (s.endsWith("?") && !concrete) {
            // a question asks rather than tells; it is kept only for what it names
            score -= 1;
        }
        if (sentence.startsWith("Note: ") || sentence.startsWith("Agent: ")) {
            score += 1;
        }
        return score;
    }

    private static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (String s : SENTENCE_END.split(text.strip())) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    private static String label(List<Message> messages) {
        Instant first = messages.getFirst().createdAt();
        return "#" + messages.getFirst().seq() + "-#" + messages.getLast().seq()
                + (first == null ? "" : ", " + DAY.format(first));
    }

    /** The label of two merged sections: from the older one's first message to the newer one's last. */
    private static String mergeLabels(String older, String newer) {
        if (older.equals("earlier") || newer.equals("earlier")) {
            return "earlier";
        }
        String from = older.substring(0, older.indexOf("-#"));
        String date = older.contains(", ") ? older.substring(older.indexOf(", ")) : "";
        String to = newer.substring(newer.indexOf("-#") + 1, newer.contains(", ") ? newer.indexOf(", ") : newer.length());
        return from + "-" + to + date;
    }
}
