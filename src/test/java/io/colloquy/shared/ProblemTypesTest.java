package io.colloquy.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The catalogue of problem types ({@link ProblemTypes#ALL}) is what clients are told (the README's error table,
 * the OpenAPI description). These tests read the main source code for the types it raises, so a new problem type
 * cannot ship undocumented, and a documented one cannot linger after the code stopped raising it.
 */
class ProblemTypesTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern EXTENDS = Pattern.compile("class\\s+(\\w+)\\s+extends\\s+(\\w+)");
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SLUG = Pattern.compile("[a-z]+(-[a-z]+)*");
    private static final Pattern README_ROW = Pattern.compile("^\\|\\s*(\\d{3})\\s*\\|\\s*`([a-z-]+)`\\s*\\|", Pattern.MULTILINE);

    @Test
    void theCatalogueNamesExactlyTheProblemTypesTheCodeRaises() throws IOException {
        Set<String> catalogue = ProblemTypes.ALL.stream().map(ProblemTypes.Type::slug).collect(Collectors.toSet());

        Set<String> raised = typesRaisedBy(sources());

        assertThat(raised).as("types raised in src/main/java").contains("handoff-already-claimed", "not-found",
                "unauthorized", "storage-unavailable");
        assertThat(new TreeSet<>(raised)).as("every type the code raises is in ProblemTypes.ALL")
                .isSubsetOf(catalogue);
        assertThat(new TreeSet<>(catalogue)).as("every catalogued type is still raised somewhere").isSubsetOf(raised);
        assertThat(ProblemTypes.ALL).extracting(ProblemTypes.Type::slug).doesNotHaveDuplicates();
    }

    @Test
    void theReadmesErrorTableListsEveryTypeWithItsStatus() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String errors = readme.substring(readme.indexOf("### Errors"));
        errors = errors.substring(0, errors.indexOf("\n## "));
        Map<String, Integer> documented = new LinkedHashMap<>();
        Matcher row = README_ROW.matcher(errors);
        while (row.find()) {
            documented.put(row.group(2), Integer.parseInt(row.group(1)));
        }

        Map<String, Integer> expected = new HashMap<>();
        ProblemTypes.ALL.forEach(t -> expected.put(t.slug(), t.status()));
        assertThat(documented).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void theScannerFindsTypesInEachShapeTheCodeUses() {
        Map<Path, String> code = Map.of(
                Path.of("Base.java"), """
                        public class ConflictException extends ProblemException { }
                        public class InvalidRequestException extends ProblemException { }
                        """,
                Path.of("A.java"), """
                        class AlreadyThere extends ConflictException {
                            AlreadyThere() { super("already-there", "Already there", "It is there"); }
                        }
                        class Filter { void f() { Problems.of(HttpStatus.GONE, ok ? "gone" : "gone-too", "Gone", d); } }
                        class Service { void g() {
                            throw new InvalidRequestException(HttpStatus.UNPROCESSABLE_CONTENT,
                                    "too-odd", "Too odd", "that is odd");
                            throw new InvalidRequestException("content must not be empty");
                            throw new IllegalStateException("unrelated");
                        } }
                        """);
        assertThat(typesRaisedBy(code)).containsExactlyInAnyOrder("already-there", "gone", "gone-too", "too-odd");
    }

    // ---- reading the code

    private static Map<Path, String> sources() throws IOException {
        Map<Path, String> sources = new HashMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.put(file, Files.readString(file));
            }
        }
        return sources;
    }

    /**
     * The slug-shaped string literals among the arguments of {@code Problems.of(...)}, of constructors of
     * problem exceptions, and of {@code super(...)} in problem exceptions' own files.
     */
    static Set<String> typesRaisedBy(Map<Path, String> sources) {
        Set<String> problemClasses = new HashSet<>(Set.of("ProblemException"));
        Map<String, String> parents = new HashMap<>();
        sources.values().forEach(text -> {
            Matcher m = EXTENDS.matcher(text);
            while (m.find()) {
                parents.put(m.group(1), m.group(2));
            }
        });
        boolean grew = true;
        while (grew) {
            grew = false;
            for (var e : parents.entrySet()) {
                if (problemClasses.contains(e.getValue()) && problemClasses.add(e.getKey())) {
                    grew = true;
                }
            }
        }
        Set<String> slugs = new HashSet<>();
        for (var source : sources.entrySet()) {
            String text = source.getValue();
            boolean definesProblem = problemClasses.stream().anyMatch(c -> text.matches("(?s).*class\\s+" + c + "\\b.*"));
            List<String> openings = problemClasses.stream().map(c -> "new " + c + "(").collect(Collectors.toList());
            openings.add("Problems.of(");
            openings.add(" of(HttpStatus.");   // inside Problems itself
            if (definesProblem) {
                openings.add("super(");
            }
            for (String opening : openings) {
                for (int at = text.indexOf(opening); at >= 0; at = text.indexOf(opening, at + 1)) {
                    Matcher literal = LITERAL.matcher(arguments(text, at + opening.length()));
                    while (literal.find()) {
                        if (SLUG.matcher(literal.group(1)).matches()) {
                            slugs.add(literal.group(1));
                        }
                    }
                }
            }
        }
        return slugs;
    }

    /** The text of a call's arguments: from just after its '(' to its matching ')', string literals skipped. */
    private static String arguments(String text, int from) {
        int depth = 1;
        boolean quoted = false;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return text.substring(from, i);
            }
        }
        return text.substring(from);
    }
}
