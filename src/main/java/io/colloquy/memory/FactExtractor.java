package io.colloquy.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.colloquy.llm.ModelAnswer;

/**
 * Finds facts in a customer's message without a model, so they are pinned even when the model forgets
 * to report them and even when it is down: identifiers (order, ticket, invoice and tracking numbers,
 * emails, phone numbers), amounts and dates, and what a person says about themselves (their name, family
 * and pets, work, home, plans, preferences, allergies and diet).
 *
 * <p>Every fact has its own identity, its key. A date or an amount is keyed by what it is about ("sister's
 * wedding (date)"), so two events are two facts and a second date never overwrites the first; only the
 * same slot with a new value (an address, a job, the date of the same event) is a change. Family, pets,
 * allergies and likes collect several values under one key ({@link #accumulates}).
 */
final class FactExtractor {

    private static final Pattern EMAIL = Pattern.compile("[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+");
    /**
     * 9 to 15 digits separated by spaces, dashes or parentheses; not part of a longer number or a
     * decimal (dots are not separators, so "1.234567890" is not a phone number).
     */
    private static final Pattern PHONE = Pattern.compile("(?<![\\w.])\\+?\\(?\\d[\\d\\s()-]{7,18}\\d(?!\\w|\\.\\d)");
    private static final Pattern REFERENCE = Pattern.compile(
            "\\b(order|ticket|case|invoice|tracking|reference|booking|account)"
                    + "(?:\\s+(?:number|no\\.?|id|#|code))?\\s*(?:is|was|:|#)?\\s*#?\\s*([A-Z0-9][A-Z0-9-]{3,30})\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern AMOUNT = Pattern.compile(
            "(?:[$€£]\\s?\\d[\\d,]*(?:\\.\\d{1,2})?)|(?:\\b\\d[\\d,]*(?:\\.\\d{1,2})?\\s?(?:USD|EUR|GBP|dollars|euros|pounds)\\b)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DATE = Pattern.compile(
            "\\b(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}/\\d{1,2}/\\d{2,4}|"
                    + "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.? \\d{1,2}(?:st|nd|rd|th)?(?:,? \\d{4})?|"
                    + "(?:the )?\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*(?:,? \\d{4})?)\\b",
            Pattern.CASE_INSENSITIVE);

    private static final String NAME = "([A-Z][\\p{L}'-]+)";
    private static final String RELATIONS = "wife|husband|partner|boyfriend|girlfriend|fianc[ée]e?|son|daughter|baby|"
            + "sister|brother|mom|mum|mother|dad|father|grandmother|grandma|granny|grandfather|grandpa|aunt|uncle|"
            + "cousin|niece|nephew|friend|boss|neighbou?r|roommate|flatmate|colleague|coworker|stepson|stepdaughter";
    private static final String PETS = "dog|cat|puppy|kitten|parrot|rabbit|bunny|hamster|horse|pony|tortoise|turtle|"
            + "goldfish|guinea pig|budgie|lizard|snake";
    private static final Pattern SELF_NAME = Pattern.compile(
            "\\b(?i:my name is|my name's|call me) " + NAME + "(?: " + NAME + ")?");
    /** "my sister Clara", "my dog's name is Biscuit", "our neighbour, Tom". */
    private static final Pattern KIN_NAME = Pattern.compile("\\b(?i:my|our) (?i:(?:little|older|younger|big|baby|"
            + "new|best|oldest|youngest|eldest|twin|other) )?(?i:(" + RELATIONS + "|" + PETS + "))(?:'s name is|"
            + " is called| is named| named| called| who is called|,)? " + NAME);
    /** "a puppy called Pepper", "we named her Pepper" (a pet named in the same sentence). */
    private static final Pattern PET_NAMED = Pattern.compile("\\b(?i:(" + PETS + "))\\b[^.!?]{0,60}?\\b(?i:called|named"
            + "|named (?:him|her|it|them)|call (?:him|her|it|them)) " + NAME);
    private static final Pattern WORK = Pattern.compile("\\b(?i:i (?:work|am working|'m working|have worked|"
            + "(?:just )?(?:started|got|landed|began|took) (?:a |my )?(?:new )?job)|my (?:new )?job is) "
            + "(?i:(as|at|for|with|in)) ([^.,;!?]{2,60})");
    private static final Pattern HOME = Pattern.compile("\\b(?i:i live|we live|i'm living|we're living|i am living|"
            + "we (?:just )?moved|i (?:just )?moved) (?i:in|to) ([A-Z][\\p{L}'-]+(?: [A-Z][\\p{L}'-]+){0,3})");
    private static final Pattern PLAN = Pattern.compile("\\b(?i:i'm planning|i am planning|we're planning|"
            + "we are planning|i plan|we plan|my plan is|our plan is|i'm hoping|we're hoping|i intend|we intend)"
            + " (?i:to|on) ([^.;!?]{3,80})");
    private static final Pattern FAVOURITE = Pattern.compile(
            "\\b(?i:my|our) (?i:fav(?:ou?rite)?) ([\\p{L} ]{2,30}?) (?i:is|are|has to be) ([^.,;!?]{2,60})");
    private static final Pattern PREFER = Pattern.compile("\\b(?i:i prefer|i'd prefer|i would prefer|we prefer) "
            + "([^.,;!?]{2,60})");
    private static final Pattern ALLERGY = Pattern.compile("\\b(?i:i'm|i am|we're|my \\w+ is) (?i:(?:very |severely |"
            + "a bit |mildly )?allergic to) ([^.,;!?]{2,60})");
    private static final Pattern DIET = Pattern.compile("\\b(?i:i'm|i am|i've been|i have been|i went) (?i:(?:a |now |"
            + "fully |mostly )?)((?i:vegetarian|vegan|pescatarian|gluten[- ]free|lactose[- ]intolerant|coeliac|celiac"
            + "|diabetic|keto))\\b");
    private static final Pattern LIKES = Pattern.compile("\\b(?i:i (?:really |absolutely |just )?(love|adore|enjoy)|"
            + "i (?:really )?(hate|can't stand|cannot stand|don't like|do not like|dislike|detest)) ([^.,;!?]{3,50})");

    /** Capitalised words that follow "my sister" without being a name. */
    private static final Set<String> NOT_NAMES = Set.of("I", "I'm", "I'll", "I've", "I'd", "And", "But", "So", "The",
            "A", "An", "It", "It's", "Is", "Was", "Has", "Had", "He", "She", "They", "We", "You", "My", "Our", "Then",
            "Also", "Just", "Yesterday", "Today", "Tomorrow", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
            "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December", "Christmas", "Easter", "Oh", "Well", "Who", "When");
    private static final Set<String> EMPTY_VALUES = Set.of("it", "that", "this", "them", "you", "him", "her", "those",
            "these", "one", "so", "too", "lot", "a lot", "it a lot", "that a lot", "you guys", "everything");
    /** Words at a phrase's edges that say nothing about what a date or amount belongs to. */
    private static final Set<String> EDGE_WORDS = Set.of("my", "our", "the", "a", "an", "we", "we're", "i", "i'm",
            "i've", "i'll", "is", "was", "are", "were", "will", "be", "been", "it's", "its", "it", "and", "but", "so",
            "then", "also", "just", "actually", "oh", "well", "on", "at", "by", "for", "in", "to", "until", "from",
            "since", "of", "around", "about", "that", "this", "which", "due", "set", "now", "finally", "has", "have",
            "had", "got", "get", "there", "what", "when", "some", "all", "only", "still", "should", "would", "could",
            "cost", "costs", "yes", "no", "hi", "hello");

    private static final Set<String> AUXILIARIES = Set.of("is", "was", "are", "were", "am", "be", "been", "being",
            "will", "'s", "'re", "'m");

    /** Ends a clause: a punctuation mark before a space (not the dot of "89.99"), or a conjunction. */
    private static final Pattern CLAUSE_BREAK = Pattern.compile("[.!?,;:](?=\\s|$)|\\s(?:and|but|so|because)\\s",
            Pattern.CASE_INSENSITIVE);

    /** Keys under which several values are collected rather than replaced. */
    private static final Pattern ACCUMULATING = Pattern.compile("^(?:" + RELATIONS + "|" + PETS
            + "|allergy|likes|dislikes|preference)$");

    /** Spellings a model may use for the same fact, mapped to one key. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("order_id", "order_number"), Map.entry("order", "order_number"),
            Map.entry("order_no", "order_number"), Map.entry("email_address", "email"),
            Map.entry("phone_number", "phone"), Map.entry("telephone", "phone"),
            Map.entry("name", "customer_name"), Map.entry("full_name", "customer_name"),
            Map.entry("address", "delivery_address"), Map.entry("shipping_address", "delivery_address"),
            Map.entry("ticket_id", "ticket_number"), Map.entry("invoice_id", "invoice_number"),
            Map.entry("tracking_id", "tracking_number"));

    private FactExtractor() {
    }

    static String canonicalKey(String key) {
        return ALIASES.getOrDefault(key, key);
    }

    /** Whether {@code key} collects values (a second sister is not a changed sister). */
    static boolean accumulates(String key) {
        return ACCUMULATING.matcher(key).matches();
    }

    /** Facts found in one message, in the order they appear; a later mention of the same key wins. */
    static List<ModelAnswer.Fact> extract(String text) {
        Map<String, String> found = new LinkedHashMap<>();
        Matcher m = EMAIL.matcher(text);
        while (m.find()) {
            found.put("email", m.group());
        }
        String withoutEmails = EMAIL.matcher(text).replaceAll(" ");
        m = REFERENCE.matcher(withoutEmails);
        while (m.find()) {
            String value = m.group(2);
            if (value.chars().anyMatch(Character::isDigit)) {
                found.put(m.group(1).toLowerCase(Locale.ROOT) + "_number", value);
            }
        }
        m = AMOUNT.matcher(withoutEmails);
        while (m.find()) {
            found.put(amountKey(withoutEmails, m.start(), m.end()), m.group().strip());
        }
        m = DATE.matcher(withoutEmails);
        while (m.find()) {
            String value = m.group().strip();
            value = value.regionMatches(true, 0, "the ", 0, 4) ? value.substring(4) : value;
            found.put(dateKey(withoutEmails, m.start(), m.end()), value);
        }
        String withoutKnown = DATE.matcher(REFERENCE.matcher(withoutEmails).replaceAll(" ")).replaceAll(" ");
        m = PHONE.matcher(withoutKnown);
        while (m.find()) {
            String digits = m.group().replaceAll("\\D", "");
            if (digits.length() >= 9 && digits.length() <= 15) {
                found.put("phone", m.group().strip());
            }
        }
        personal(withoutEmails, found);
        List<ModelAnswer.Fact> facts = new ArrayList<>();
        found.forEach((k, v) -> facts.add(new ModelAnswer.Fact(k, v)));
        return facts;
    }

    /** What the customer says about themselves. */
    private static void personal(String text, Map<String, String> found) {
        Matcher m = SELF_NAME.matcher(text);
        while (m.find()) {
            if (!NOT_NAMES.contains(m.group(1))) {
                found.put("customer_name", m.group(2) != null && !NOT_NAMES.contains(m.group(2))
                        ? m.group(1) + " " + m.group(2) : m.group(1));
            }
        }
        m = KIN_NAME.matcher(text);
        while (m.find()) {
            if (!NOT_NAMES.contains(m.group(2))) {
                add(found, m.group(1).toLowerCase(Locale.ROOT), m.group(2));
            }
        }
        m = PET_NAMED.matcher(text);
        while (m.find()) {
            if (!NOT_NAMES.contains(m.group(2))) {
                add(found, m.group(1).toLowerCase(Locale.ROOT), m.group(2));
            }
        }
        m = WORK.matcher(text);
        while (m.find()) {
            String how = m.group(1).toLowerCase(Locale.ROOT);
            found.put(how.equals("as") ? "job" : "workplace", how + " " + clean(m.group(2)));
        }
        m = HOME.matcher(text);
        while (m.find()) {
            found.put("home", m.group(1).strip());
        }
        m = PLAN.matcher(text);
        while (m.find()) {
            String plan = clean(m.group(1));
            if (meaningful(plan)) {
                found.put("plan: " + firstWords(plan, 3), plan);
            }
        }
        m = FAVOURITE.matcher(text);
        while (m.find()) {
            String value = clean(m.group(2));
            if (meaningful(value)) {
                found.put("favourite " + m.group(1).strip().toLowerCase(Locale.ROOT), value);
            }
        }
        m = PREFER.matcher(text);
        while (m.find()) {
            String value = clean(m.group(1));
            if (meaningful(value)) {
                add(found, "preference", value);
            }
        }
        m = ALLERGY.matcher(text);
        while (m.find()) {
            add(found, "allergy", clean(m.group(1)));
        }
        m = DIET.matcher(text);
        while (m.find()) {
            found.put("diet", m.group(1).toLowerCase(Locale.ROOT));
        }
        m = LIKES.matcher(text);
        while (m.find()) {
            String value = clean(m.group(3));
            if (meaningful(value)) {
                add(found, m.group(1) != null ? "likes" : "dislikes", value);
            }
        }
    }

    private static void add(Map<String, String> found, String key, String value) {
        found.merge(key, value, (a, b) -> a.equalsIgnoreCase(b) ? a : a + ", " + b);
    }

    /** A captured value without trailing filler ("too", "as well", "though"). */
    private static String clean(String value) {
        return value.strip().replaceAll("(?i)\\s+(?:too|as well|though|anyway|really|honestly|lol|haha)$", "").strip();
    }

    private static boolean meaningful(String value) {
        String v = value.toLowerCase(Locale.ROOT).strip();
        return v.length() >= 3 && !EMPTY_VALUES.contains(v);
    }

    private static String firstWords(String text, int n) {
        String[] words = text.toLowerCase(Locale.ROOT).split("\\s+");
        return String.join(" ", java.util.Arrays.copyOf(words, Math.min(n, words.length)));
    }

    private static String amountKey(String text, int at, int end) {
        String before = window(text, at);
        if (before.contains("refund")) {
            return "refund_amount";
        }
        if (before.contains("charg") || before.contains("bill") || before.contains("paid") || before.contains("pay")) {
            return "charged_amount";
        }
        String about = about(text, at, end);
        return about.isEmpty() || about.matches("(?:the )?(?:amount|total|price|sum|it|that)") ? "amount"
                : about + " (amount)";
    }

    /**
     * A date's key says what it is the date of: the support ones by name, any other by the words around it
     * ("dentist appointment (date)"), so each event keeps its own date.
     */
    private static String dateKey(String text, int at, int end) {
        String before = text.substring(clauseStart(text, at), at).toLowerCase(Locale.ROOT);
        if (before.contains("deliver") || before.contains("arriv") || before.contains("ship")) {
            return "delivery_date";
        }
        if (before.contains("order") || before.contains("bought") || before.contains("purchas")) {
            return "order_date";
        }
        if (before.contains("charg") || before.contains("paid") || before.contains("pay") || before.contains("bill")) {
            return "payment_date";
        }
        String about = about(text, at, end);
        return about.isEmpty() ? "date" : about + " (date)";
    }

    /** The few words of the clause before a match (or else after it) that say what it belongs to. */
    private static String about(String text, int at, int end) {
        String before = text.substring(clauseStart(text, at), at);
        String phrase = edgeTrimmed(before, true);
        if (phrase.isEmpty()) {
            int stop = clauseEnd(text, end);
            phrase = edgeTrimmed(text.substring(end, stop), false);
        }
        return phrase.toLowerCase(Locale.ROOT);
    }

    private static String edgeTrimmed(String clause, boolean keepEnd) {
        List<String> words = new ArrayList<>(List.of(clause.replaceAll("[^\\p{L}\\p{N}' -]", " ").strip().split("\\s+")));
        words.removeIf(String::isBlank);
        // numbers and amounts in the clause are other facts, not what this one is about
        words.removeIf(w -> w.chars().anyMatch(Character::isDigit) || AUXILIARIES.contains(w.toLowerCase(Locale.ROOT)));
        while (!words.isEmpty() && EDGE_WORDS.contains(words.getFirst().toLowerCase(Locale.ROOT))) {
            words.removeFirst();
        }
        while (!words.isEmpty() && EDGE_WORDS.contains(words.getLast().toLowerCase(Locale.ROOT))) {
            words.removeLast();
        }
        if (words.size() > 4) {
            words = keepEnd ? words.subList(words.size() - 4, words.size()) : words.subList(0, 4);
        }
        return String.join(" ", words);
    }

    /** Where the clause holding {@code at} starts: after a punctuation mark followed by a space, or a conjunction. */
    private static int clauseStart(String text, int at) {
        int start = 0;
        Matcher m = CLAUSE_BREAK.matcher(text);
        while (m.find() && m.end() <= at) {
            start = m.end();
        }
        return start;
    }

    private static int clauseEnd(String text, int end) {
        Matcher m = CLAUSE_BREAK.matcher(text);
        return m.find(end) ? m.start() : text.length();
    }

    /** The few words before a match, which say what the number is about. */
    private static String window(String text, int at) {
        int sentenceStart = Math.max(Math.max(text.lastIndexOf('.', at - 1), text.lastIndexOf('!', at - 1)),
                text.lastIndexOf('?', at - 1)) + 1;
        return text.substring(Math.max(sentenceStart, at - 60), at).toLowerCase(Locale.ROOT);
    }
}
