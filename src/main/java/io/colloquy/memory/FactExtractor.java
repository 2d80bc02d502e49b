package io.colloquy.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.colloquy.llm.ModelAnswer;

/**
 * Finds identifiers in a customer's message without a model: order, ticket, invoice and tracking
 * numbers, emails, phone numbers, amounts and dates. These are pinned even when the model forgets to
 * report them and even when the model is down.
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
                    + "\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*(?:,? \\d{4})?)\\b",
            Pattern.CASE_INSENSITIVE);

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
            found.put(amountKey(withoutEmails, m.start()), m.group().strip());
        }
        m = DATE.matcher(withoutEmails);
        while (m.find()) {
            found.put(dateKey(withoutEmails, m.start()), m.group().strip());
        }
        String withoutKnown = DATE.matcher(REFERENCE.matcher(withoutEmails).replaceAll(" ")).replaceAll(" ");
        m = PHONE.matcher(withoutKnown);
        while (m.find()) {
            String digits = m.group().replaceAll("\\D", "");
            if (digits.length() >= 9 && digits.length() <= 15) {
                found.put("phone", m.group().strip());
            }
        }
        List<ModelAnswer.Fact> facts = new ArrayList<>();
        found.forEach((k, v) -> facts.add(new ModelAnswer.Fact(k, v)));
        return facts;
    }

    private static String amountKey(String text, int at) {
        String before = window(text, at);
        if (before.contains("refund")) {
            return "refund_amount";
        }
        if (before.contains("charg") || before.contains("bill") || before.contains("paid") || before.contains("pay")) {
            return "charged_amount";
        }
        return "amount";
    }

    private static String dateKey(String text, int at) {
        String before = window(text, at);
        if (before.contains("deliver") || before.contains("arriv") || before.contains("ship")) {
            return "delivery_date";
        }
        if (before.contains("order") || before.contains("bought") || before.contains("purchas")) {
            return "order_date";
        }
        return "date";
    }

    /** The few words before a match, which say what the number is about. */
    private static String window(String text, int at) {
        int sentenceStart = Math.max(Math.max(text.lastIndexOf('.', at - 1), text.lastIndexOf('!', at - 1)),
                text.lastIndexOf('?', at - 1)) + 1;
        return text.substring(Math.max(sentenceStart, at - 60), at).toLowerCase(Locale.ROOT);
    }
}
