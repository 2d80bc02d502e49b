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
                .containsEntry("payment_date", "2026-10-28");
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

    @Test
    void eachEventKeepsItsOwnDate() {
        Map<String, String> found = facts("My dentist appointment is on March 12, and my sister Clara is getting "
                + "married on June 21 in Lisbon.");
        assertThat(found).containsEntry("dentist appointment (date)", "March 12")
                .containsEntry("sister clara getting married (date)", "June 21")
                .doesNotContainKey("date");
        assertThat(facts("We're flying to Reykjavik on the 3rd of October."))
                .containsEntry("flying to reykjavik (date)", "3rd of October");
        assertThat(facts("On May 4 I have my driving test.")).containsEntry("driving test (date)", "May 4");
    }

    @Test
    void findsWhatAPersonSaysAboutThemselves() {
        assertThat(facts("Hi, my name is Dana Whitfield.")).containsEntry("customer_name", "Dana Whitfield");
        assertThat(facts("My sister Clara and my dog Biscuit say hi.")).containsEntry("sister", "Clara")
                .containsEntry("dog", "Biscuit");
        assertThat(facts("We adopted a puppy last week and named her Pepper.")).containsEntry("puppy", "Pepper");
        assertThat(facts("I work as a pharmacist, and I just started a new job at Greenway Clinic."))
                .containsEntry("job", "as a pharmacist").containsEntry("workplace", "at Greenway Clinic");
        assertThat(facts("We moved to Porto Alegre last year.")).containsEntry("home", "Porto Alegre");
        assertThat(facts("I'm planning to run a half marathon in the spring."))
                .containsEntry("plan: run a half", "run a half marathon in the spring");
        assertThat(facts("My favourite dish is mushroom risotto. I'm allergic to cashews. I'm vegetarian."))
                .containsEntry("favourite dish", "mushroom risotto").containsEntry("allergy", "cashews")
                .containsEntry("diet", "vegetarian");
        assertThat(facts("I really love hiking in the mountains")).containsEntry("likes", "hiking in the mountains");
    }

    @Test
    void aCapitalisedWordAfterARelationIsNotAlwaysAName() {
        assertThat(facts("My sister And I went out. My brother Yesterday was late.")).doesNotContainKeys("sister",
                "brother");
        assertThat(facts("I love it.")).doesNotContainKey("likes");
    }

    @Test
    void familyAndAllergiesCollectValuesInsteadOfReplacingThem() {
        assertThat(FactExtractor.accumulates("sister")).isTrue();
        assertThat(FactExtractor.accumulates("allergy")).isTrue();
        assertThat(FactExtractor.accumulates("delivery_address")).isFalse();
        assertThat(FactExtractor.accumulates("dentist appointment (date)")).isFalse();
    }
}
