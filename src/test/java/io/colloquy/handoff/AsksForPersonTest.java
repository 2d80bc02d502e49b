package io.colloquy.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Explicit-request detection ({@link HandoffTriggers#ASKS_FOR_PERSON}): asking for a person hands the
 * conversation off at once; mentioning one in passing does not.
 */
class AsksForPersonTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "Can I talk to a human?",
        "I want to speak to a person.",
        "Let me speak with an agent.",
        "I'd like to talk to someone about my bill.",
        "Put me through to a manager, please.",
        "Transfer me to a representative.",
        "Get me a real person.",
        "Human please",
        "agent",
        "Connect me with customer service.",
        "Is there a human I can talk to?",
        "I need a real person.",
        "Speak to a supervisor now.",
        "Operator!",
        "I'd rather talk to a live agent.",
        "Please escalate this to a human.",
        "Are you a bot? I want a human.",
        "Please get a human on this.",
        "I demand to speak to your manager.",
        "Talk to a human.",
        "Representative.",
        "Can a real person look at this?",
        "Let me talk to somebody real.",
        "Please have someone call me.",
        "I want to chat with a live person.",
        "Could I speak with your supervisor please?",
        "Why can't I talk to a human?",
        "I don't want a bot, I want a person.",
        "I need to speak to someone from your team.",
        "Can you transfer me to an agent?",
        "Is there anyone I could speak to?",
        "I'd prefer to deal with a human.",
        "real person please",
        "can somebody from support call me back",
        "I want to talk to a manager right now",
        "This is going nowhere, get me your manager.",
        "I don\u2019t know, just get me a human.",
    })
    void asksForAPerson(String message) {
        assertThat(HandoffTriggers.asksForPerson(message)).as(message).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "It's great to talk to someone who understands.",
        "It's great to talk to someone who gets it.",
        "I talked to a person at the store yesterday.",
        "My manager asked me to order this for the office.",
        "The agent at the post office was really rude.",
        "I'm a real person, not a bot, I promise.",
        "My husband is a customer service representative.",
        "You sound just like a real human!",
        "I spoke to someone last week and they said it had shipped.",
        "My sister is a travel agent.",
        "The delivery person left it at the door.",
        "I need to talk to my wife first.",
        "I'll speak to my manager about it.",
        "Talking to you is like talking to a human.",
        "It was human error on my part.",
        "Our real estate agent recommended you.",
        "I'd like to thank the person who packed my order.",
        "It's nice to chat with someone friendly for once.",
        "I want to talk to my doctor before I order.",
        "My brother works as an insurance agent.",
        "You're more helpful than a human agent.",
        "Please don't transfer me, you're doing fine.",
        "I don't want to talk to a person, you're fine.",
        "No need for a human, thanks.",
        "I hate talking to people on the phone.",
        "Someone told me you have a sale on.",
        "A live person answered when I called yesterday.",
        "The manager of my building is nice.",
        "We watched a secret agent movie last night.",
        "Thanks, you've been more helpful than a real person.",
        "My friend who works as a representative for a bank said hi.",
        "I was talking with somebody at the gym about this.",
        "The human body is amazing, my daughter is studying it.",
        "I asked the person next door to take the parcel.",
        "Do you think a person can learn Spanish in a year?",
        "My boss is a nice person.",
        "I'm not a people person, haha.",
        "I'm a manager now, at a small bakery.",
    })
    void mentionsAPersonInPassing(String message) {
        assertThat(HandoffTriggers.asksForPerson(message)).as(message).isFalse();
    }
}
