package io.colloquy.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Long multi-session conversations of everyday talk, deterministic by seed: a person chats with an
 * assistant over many sessions (weekends, cooking, work, family, travel, the weather...), mentions
 * personal details once along the way (a pet's name, a sister's wedding date, a bike-lock code, an
 * address that later changes), and at the end asks about them. The filler reuses the questions' words in
 * other senses ("the neighbour's dog", "I booked a table", "my friend's birthday party"), so finding the
 * right message takes more than matching one word; the questions paraphrase the details rather than
 * repeat them.
 *
 * <p>The wording avoids what the simulated model takes as a wish for a person or as risk (it would hand
 * the conversation off, and the rest would never reach the model).
 */
public final class LongConversations {

    /** A question asked at the end, the answer the prompt should hold, and where the detail was planted. */
    public record Question(String text, String answer, int plantedAtTurn) {
    }

    /** The customer's messages in order (sessions one after the other), then the questions. */
    public record Conversation(long seed, List<String> turns, int sessions, List<Question> questions,
                               int firstQuestionTurn) {
    }

    private static final String[] PETS = {"puppy", "kitten", "rabbit", "parrot"};
    private static final String[] PET_NAMES = {"Pepper", "Biscuit", "Juniper", "Marmalade", "Nutmeg", "Waffles"};
    private static final String[] SISTERS = {"Clara", "Ingrid", "Rosalind", "Maribel", "Annika", "Theodora"};
    private static final String[] CITIES = {"Lisbon", "Ljubljana", "Valletta", "Tallinn", "Bruges", "Porto"};
    private static final String[] TRIP_CITIES = {"Reykjavik", "Kyoto", "Marrakech", "Oaxaca", "Tromso", "Hobart"};
    private static final String[] ALLERGENS = {"cashews", "shellfish", "sesame", "kiwi fruit", "buckwheat"};
    private static final String[] CARS = {"Skoda Octavia", "Mazda CX-30", "Volvo V60", "Honda Jazz", "Kia Ceed"};
    private static final String[] COLOURS = {"blue", "grey", "dark green", "white", "red"};
    private static final String[] JOBS = {"pharmacist", "librarian", "physiotherapist", "bookkeeper", "sound engineer"};
    private static final String[] COMPANIES = {"Greenway Clinic", "Halberd Analytics", "Lumen Studios", "Corvid Labs",
        "Bramble & Finch"};
    private static final String[] BOOKS = {"The Salt Orchard", "A Lantern in Winter", "The Cartographer's Daughter",
        "Nine Quiet Rivers", "The Glass Meridian"};
    private static final String[] RESTAURANTS = {"Osteria Lupa", "Casa Mirador", "The Copper Kettle", "Bistro Anselme",
        "Sakura Tei"};
    private static final String[] TEACHERS = {"Mrs Okafor", "Ms Lindqvist", "Mrs Petrakis", "Ms Delacroix"};
    private static final String[] DISHES = {"mushroom risotto", "lamb tagine", "shakshuka", "pad thai", "beef rendang"};
    private static final String[] GYMS = {"IronWorks", "Pulse Fitness", "Anvil Athletic", "Summit Gym"};
    private static final String[] PLANTS = {"jade plant", "Christmas cactus", "spider plant", "rubber fig"};
    private static final String[] NEIGHBOURS = {"Desmond", "Rafael", "Augustin", "Kwame", "Leopold"};
    private static final String[] MONTHS = {"March", "April", "May", "June", "July", "August", "September",
        "October"};
    private static final String[] STREETS = {"Birch Road", "Quarry Lane", "Harbour View", "Mill Street", "Elder Close"};

    private static final String[] WEATHER = {
        "It has been raining all {day} here, the garden is soaked.",
        "The sun finally came out this {day}, so I sat on the balcony with a coffee.",
        "It's so windy today that the bins blew over twice.",
        "We had the first frost of the season this morning, the car windows were white.",
        "The heat this week is unbearable, I keep the blinds closed all afternoon.",
    };
    private static final String[] COOKING = {
        "I tried a new recipe for banana bread and it came out a bit dry.",
        "Tonight I'm making soup with whatever vegetables are left in the fridge.",
        "I burnt the rice again, I really need a better pot.",
        "We ordered pizza because nobody wanted to cook after the long day.",
        "I baked cinnamon rolls on {day} and the whole flat smelled amazing.",
        "I booked a table at that new restaurant downtown, but it closed before we got there.",
        "My friend's birthday party had the best chocolate cake I've ever tasted.",
    };
    private static final String[] WORK = {
        "Work was hectic today, three meetings back to back.",
        "I spent the whole afternoon writing code for a report nobody will read.",
        "My colleague's flight got delayed, so I covered her presentation.",
        "The office coffee machine broke again, everyone was grumpy.",
        "I finally cleared my inbox, it felt great.",
        "We had a team lunch on {day}, the food was decent.",
    };
    private static final String[] FAMILY = {
        "The neighbour's dog barked half the night.",
        "My son built a huge cardboard castle in the living room.",
        "My mum called and we chatted for almost an hour.",
        "We watched a wedding show on TV and laughed at the dresses.",
        "The kids had a sleepover, so the house was chaos.",
        "My yoga teacher said my balance is getting better.",
        "My cousin sent photos from his holiday, it looked lovely.",
    };
    private static final String[] LEISURE = {
        "I skipped the gym again this week, too tired.",
        "We went for a long walk by the river on {day}.",
        "I started a jigsaw puzzle with a thousand pieces.",
        "The car park at the supermarket was full, I had to circle for ages.",
        "I watched two episodes of that detective series last night.",
        "I'm trying to read more before bed instead of scrolling on my phone.",
        "We played board games until midnight, I lost every round.",
        "I repotted some herbs on the windowsill, the basil is thriving.",
        "The local football team won on {day}, the whole street was cheering.",
        "I went to a concert in the park, the band was surprisingly good.",
    };
    private static final String[] CHATTER = {
        "Anyway, how are you doing today?",
        "Haha, that's funny.",
        "Thanks for listening, I appreciate it.",
        "Okay, that makes sense.",
        "By the way, do you have any tips for sleeping better?",
        "What do you think I should cook this weekend?",
        "Do you know any good podcasts?",
        "Sorry, I'm rambling again.",
        "Alright, good to know.",
        "Any ideas for a rainy afternoon?",
    };
    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
        "Sunday"};
    private static final String[][] TOPICS = {WEATHER, COOKING, WORK, FAMILY, LEISURE, CHATTER};

    private LongConversations() {
    }

    /** {@code sessions} sessions of {@code turnsPerSession} turns, then the questions. */
    public static Conversation generate(long seed, int sessions, int turnsPerSession) {
        Random random = new Random(seed);
        List<Plant> plants = plants(random);
        List<String> turns = new ArrayList<>();
        List<Question> questions = new ArrayList<>();
        // plants spread over the sessions (two per session at most), in a seeded order
        int[] plantTurns = new int[plants.size()];
        List<Integer> slots = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            slots.add(s * turnsPerSession + 3 + random.nextInt(turnsPerSession / 2 - 3));
            slots.add(s * turnsPerSession + turnsPerSession / 2 + random.nextInt(turnsPerSession / 2 - 2));
        }
        java.util.Collections.shuffle(slots, random);
        for (int i = 0; i < plants.size(); i++) {
            plantTurns[i] = slots.get(i);
        }
        for (int s = 0; s < sessions; s++) {
            for (int t = 0; t < turnsPerSession; t++) {
                int turn = s * turnsPerSession + t;
                String planted = null;
                for (int i = 0; i < plants.size(); i++) {
                    if (plantTurns[i] == turn) {
                        planted = plants.get(i).statement();
                    }
                }
                if (t == 0) {
                    turns.add(greeting(random, s) + " " + filler(random, 1));
                } else if (planted != null) {
                    // a detail comes wrapped in everyday talk, as people mention things
                    String before = filler(random, random.nextInt(2));
                    String after = filler(random, random.nextInt(2));
                    turns.add((before + (before.isEmpty() || random.nextBoolean() ? " " : " Oh, and ") + planted + " "
                            + after).strip());
                } else {
                    turns.add(filler(random, 1 + random.nextInt(3)));
                }
            }
        }
        int[] askedAbout = plantTurns.clone();
        for (int i = 0; i < plants.size(); i++) {
            Plant p = plants.get(i);
            if (p.followUp() != null) {
                // the changed detail: its new value a third of the conversation later, on a turn of its own
                int at = Math.min(turns.size() - 2, plantTurns[i] + sessions * turnsPerSession / 3);
                while (at % turnsPerSession == 0 || contains(plantTurns, at)) {
                    at++;
                }
                turns.set(at, filler(random, 1) + " " + p.followUp());
                askedAbout[i] = at;
            }
        }
        int firstQuestion = turns.size();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < plants.size(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        for (int i : order) {
            Plant p = plants.get(i);
            turns.add(p.question());
            questions.add(new Question(p.question(), p.answer(), askedAbout[i] + 1));
        }
        return new Conversation(seed, List.copyOf(turns), sessions, List.copyOf(questions), firstQuestion);
    }

    private record Plant(String statement, String question, String answer, String followUp) {
    }

    private static List<Plant> plants(Random r) {
        String pet = pick(r, PETS);
        String petName = pick(r, PET_NAMES);
        String sister = pick(r, SISTERS);
        String weddingDate = pick(r, MONTHS) + " " + (3 + r.nextInt(25));
        String weddingCity = pick(r, CITIES);
        String allergen = pick(r, ALLERGENS);
        String car = pick(r, CARS);
        String job = pick(r, JOBS);
        String company = pick(r, COMPANIES);
        String code = String.valueOf(1000 + r.nextInt(9000));
        String dentist = pick(r, MONTHS) + " " + (2 + r.nextInt(26));
        String book = pick(r, BOOKS);
        String restaurant = pick(r, RESTAURANTS);
        String tripCity = pick(r, TRIP_CITIES);
        String flight = (char) ('A' + r.nextInt(26)) + "" + (char) ('A' + r.nextInt(26)) + " " + (100 + r.nextInt(900));
        String teacher = pick(r, TEACHERS);
        String dish = pick(r, DISHES);
        String gym = pick(r, GYMS);
        String plant = pick(r, PLANTS);
        String neighbour = pick(r, NEIGHBOURS);
        String dadBirthday = pick(r, MONTHS) + " " + (2 + r.nextInt(26));
        String oldAddress = (2 + r.nextInt(80)) + " " + pick(r, STREETS);
        String newAddress;
        do {
            newAddress = (2 + r.nextInt(80)) + " " + pick(r, STREETS);
        } while (newAddress.equals(oldAddress));
        return List.of(
                new Plant("Big news: we adopted a " + pet + " from the shelter and we named her " + petName + ".",
                        "What did we name the " + pet + " we adopted?", petName, null),
                new Plant("My sister " + sister + " is getting married on " + weddingDate + " in " + weddingCity
                        + ", so I'm helping with the plans.", "Remind me, when is my sister's wedding?", weddingDate, null),
                new Plant("Guess what, the doctor told me I'm allergic to " + allergen + ", so no more of that for me.",
                        "What did the doctor say I'm allergic to?", allergen, null),
                new Plant("I finally bought a car, a " + pick(r, COLOURS) + " " + car + ", second-hand but in great shape.",
                        "What car did I end up buying?", car, null),
                new Plant("I started a new job as a " + job + " at " + company + " this week.",
                        "Where did I say I started working?", company, null),
                new Plant("Note to self, the code for my bike lock is " + code + ", I keep forgetting it.",
                        "What's the code for my bike lock again?", code, null),
                new Plant("I booked my dentist appointment for " + dentist + " in the morning.",
                        "When is my dentist appointment?", dentist, null),
                new Plant("I'm reading a novel called " + book + " and I can't put it down.",
                        "What was the name of that novel I was reading?", book, null),
                new Plant("For our anniversary we went to a little place called " + restaurant
                        + ", the food was amazing.", "Which restaurant did we go to for our anniversary?", restaurant, null),
                new Plant("We're flying to " + tripCity + " on flight " + flight + " next month, I can't wait.",
                        "What was our flight number to " + tripCity + "?", flight, null),
                new Plant("My son's new teacher is called " + teacher + " and he really likes her.",
                        "What's the name of my son's new teacher?", teacher, null),
                new Plant("My favourite dish to cook is " + dish + ", I make it almost every Sunday.",
                        "What's my favourite dish to cook?", dish, null),
                new Plant("I joined a gym called " + gym + " near the station.",
                        "Which gym did I join?", gym, null),
                new Plant("My grandmother gave me a " + plant + " that she has kept alive for thirty years.",
                        "What kind of plant did my grandmother give me?", plant, null),
                new Plant("Our new neighbour is called " + neighbour + ", he plays the cello in the evenings.",
                        "What is our new neighbour called?", neighbour, null),
                new Plant("My dad's birthday is on " + dadBirthday + ", he'll be seventy.",
                        "When is my dad's birthday?", dadBirthday, null),
                new Plant("We live at " + oldAddress + ", it's a small house with a big garden.",
                        "What's our address now?", newAddress,
                        "We moved house last week, our new address is " + newAddress + ".")
        );
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    private static String greeting(Random r, int session) {
        String[] greetings = {"Hi again!", "Good morning!", "Hello, it's me again.", "Hey, I'm back.",
            "Evening! Long day here."};
        return greetings[(session + r.nextInt(greetings.length)) % greetings.length];
    }

    private static String filler(Random r, int sentences) {
        List<String> chosen = new ArrayList<>();
        while (chosen.size() < sentences) {
            String[] topic = TOPICS[r.nextInt(TOPICS.length)];
            String sentence = pick(r, topic).replace("{day}", pick(r, DAYS));
            if (!chosen.contains(sentence)) {
                chosen.add(sentence);
            }
        }
        return String.join(" ", chosen);
    }

    private static String pick(Random r, String[] options) {
        return options[r.nextInt(options.length)];
    }
}
