package io.colloquy.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.colloquy.llm.ModelAnswer;

class FactExtractorTest {

    static Map<String, String> facts(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (ModelAnswer.Fact f : FactExtractor.extract(text)) {
            map.put(f.key(), f.value());
        }
        return map;
    }

    @Test
    void findsEmailsAndPhoneNumbersEvenAtTheEndOfASentence() {
        assertThat(facts("My email is dana@example.com and my phone is +1 415 555 0142."))
                .containsEntry("email", "dana@example.com")
                .containsEntry("phone", "+1 415 555 0142");
        assertThat(facts("Call me on (020) 7946-0958")).containsEntry("phone", "(020) 7946-0958");
    }

    @Test
    void findsReferenceNumbersByTheirKind() {
        assertThat(facts("Order #A-55123 and ticket number TK-20931, invoice: INV-7781"))
                .containsEntry("order_number", "A-55123")
                .containsEntry("ticket_number", "TK-20931")
                .containsEntry("invoice_number", "INV-7781");
    }

    @Test
    void namesAmountsAndDatesByWhatTheyAreAbout() {
        assertThat(facts("I was charged $89.99 on 2026-10-28."))
                .containsEntry("charged_amount", "$89.99")
                .containsEntry("date", "2026-10-28");
        assertThat(facts("Please refund 45 EUR. It should have been delivered on March 3rd, 2026."))
                .containsEntry("refund_amount", "45 EUR")
                .containsEntry("delivery_date", "March 3rd, 2026");
    }

    @Test
    void ignoresWordsThatOnlyLookLikeReferencesAndPlainNumbers() {
        assertThat(facts("My order arrived yesterday, thanks. I have 3 kids and 2.5 cats.")).isEmpty();
        assertThat(facts("The total was 12.50 and it weighed 1.234567890 kg")).doesNotContainKey("phone");
    }

    @Test
    void mapsTheModelsSpellingsOfAFactToOneKey() {
        assertThat(FactExtractor.canonicalKey("order_id")).isEqualTo("order_number");
        assertThat(FactExtractor.canonicalKey("shipping_address")).isEqualTo("delivery_address");
        assertThat(FactExtractor.canonicalKey("favourite_colour")).isEqualTo("favourite_colour");
    }
}
