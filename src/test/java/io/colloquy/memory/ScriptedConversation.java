package io.colloquy.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * A 300-turn customer conversation: facts planted in the first turns, the address changed at turn 150,
 * the intent (a refund) stated once, and filler in between that carries no facts and no new intent.
 */
public final class ScriptedConversation {

    public static final String NAME = "Dana Whitfield";
    public static final String ORDER = "A-55123";
    public static final String EMAIL = "dana.whitfield@example.com";
    public static final String PHONE = "+1 415 555 0142";
    public static final String AMOUNT = "$89.99";
    public static final String DATE = "2026-10-28";
    public static final String OLD_ADDRESS = "12 Harbor Lane, Springfield";
    public static final String NEW_ADDRESS = "48 Elm Street, Shelbyville";
    public static final int TURNS = 300;
    public static final int ADDRESS_CHANGE_TURN = 150;

    private static final String[] FILLER = {
        "Thanks for your help so far, I appreciate it.",
        "I have been a customer with you for quite a while now.",
        "The weather here has been lovely this week, by the way.",
        "Do you also sell gift wrapping for presents?",
        "My neighbour recommended your shop to me last spring.",
        "I hope your day is going well.",
        "Is your store open on public holidays?",
        "I usually shop online in the evenings after work.",
        "Your website looks much nicer since the redesign.",
        "I will keep an eye on my inbox then.",
        "Could you tell me if you have a loyalty programme?",
        "The packaging was very nice, even if the contents were not.",
        "I am not in a hurry, take your time.",
        "Sorry for all the questions, I just like to be thorough.",
        "Do you ship to other countries as well?",
        "Okay, that makes sense to me.",
        "I was wondering whether you have a newsletter.",
        "My sister bought something similar from you and loved it.",
        "Alright, I will wait for your reply.",
        "That is good to know, thank you kindly.",
    };

    private ScriptedConversation() {
    }

    public static List<String> messages() {
        List<String> turns = new ArrayList<>();
        turns.add("Hi, my name is " + NAME + " and I want a refund for order " + ORDER + ", it arrived damaged.");
        turns.add("My email is " + EMAIL + " and my phone is " + PHONE + ".");
        turns.add("My address is " + OLD_ADDRESS + ".");
        turns.add("The amount was " + AMOUNT + ", paid on " + DATE + ".");
        while (turns.size() < TURNS) {
            if (turns.size() == ADDRESS_CHANGE_TURN - 1) {
                turns.add("Please note my address is now " + NEW_ADDRESS + ".");
            } else {
                turns.add(FILLER[turns.size() % FILLER.length]);
            }
        }
        return turns;
    }
}
