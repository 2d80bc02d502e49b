package io.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The reply a stream shows is the reply the answer has, however the provider cuts the text into pieces:
 * each answer below is fed in many random splits (fixed seeds) and must always give the same text as
 * {@link ModelAnswers#parse}.
 */
class ReplyExtractorTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"needsHuman\":false,\"confidence\":0.9,\"reply\":\"Your refund is on its way.\",\"intent\":\"refund\"}",
            "{\"needsHuman\": false, \"confidence\": 0.9, \"reply\": \"Line one.\\nLine \\\"two\\\" \\u00e9 \\ud83d\\ude0a \\\\ end\"}",
            "```json\n{\"reply\": \"  padded reply  \", \"confidence\": 0.7}\n```",
            "  Sure, I can help with that.  ",
            "Sure! {\"reply\": \"not this\"}",
            "{\"confidence\": 0.8, \"reply\": \"cut off in the mid",
            "{\"reply\": null, \"confidence\": 0.3}",
            "{\"facts\": [{\"key\": \"reply\", \"value\": \"nested\"}], \"reply\": \"the real one\"}",
            "{\"reply\": \"\", \"needsHuman\": true}",
            "{not json at all",
            "\n\n"
    })
    void everySplitOfAnAnswerShowsItsReply(String answer) {
        String expected = ModelAnswers.parse(answer).reply();
        assertThat(ReplyExtractor.extract(answer)).isEqualTo(expected);
        Random random = new Random(answer.hashCode());
        for (int round = 0; round < 200; round++) {
            StringBuilder shown = new StringBuilder();
            ReplyExtractor extractor = new ReplyExtractor(shown::append, null);
            for (String piece : split(answer, random)) {
                extractor.feed(piece);
            }
            extractor.finish();
            assertThat(shown.toString()).as("split round %d", round).isEqualTo(expected);
        }
    }

    @Test
    void theSignalsArriveBeforeTheReplyStarts() {
        List<String> order = new ArrayList<>();
        ReplyExtractor extractor = new ReplyExtractor(text -> order.add("reply:" + text), new ReplyExtractor.Signals() {
            @Override
            public void needsHuman(boolean value) {
                order.add("needsHuman:" + value);
            }

            @Override
            public void confidence(Double value) {
                order.add("confidence:" + value);
            }
        });
        for (String piece : List.of("{\"needsHuman\": fal", "se, \"confid", "ence\": 0.42, \"re", "ply\": \"Hel", "lo\"}")) {
            extractor.feed(piece);
        }
        extractor.finish();
        assertThat(order).containsExactly("needsHuman:false", "confidence:0.42", "reply:Hel", "reply:lo");
    }

    @Test
    void aSurrogatePairIsNeverSplitBetweenTwoPieces() {
        List<String> pieces = new ArrayList<>();
        ReplyExtractor extractor = new ReplyExtractor(pieces::add, null);
        extractor.feed("{\"reply\": \"a \\ud83d");
        extractor.feed("\\ude0a b\"}");
        extractor.finish();
        assertThat(pieces).allSatisfy(p -> assertThat(Character.isHighSurrogate(p.charAt(p.length() - 1))).isFalse());
        assertThat(String.join("", pieces)).isEqualTo("a \uD83D\uDE0A b");
    }

    private static List<String> split(String text, Random random) {
        List<String> pieces = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int n = 1 + random.nextInt(Math.min(8, text.length() - i));
            pieces.add(text.substring(i, i + n));
            i += n;
        }
        return pieces;
    }
}
