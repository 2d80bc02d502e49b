package io.colloquy.support;

import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Finds text anywhere in the database: every text, JSON and full-text column of every table of the
 * schema, so a test can show that a string is stored nowhere (not only where it expects it).
 */
public final class StoredText {

    private StoredText() {
    }

    /** The {@code table.column}s holding {@code needle} (case-sensitive), empty when none does. */
    public static List<String> whereFound(JdbcClient jdbc, String needle) {
        List<String[]> columns = jdbc.sql("""
                        SELECT c.table_name, c.column_name FROM information_schema.columns c
                        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                        WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                          AND c.table_name <> 'flyway_schema_history'
                          AND c.udt_name IN ('text', 'varchar', 'json', 'jsonb', 'tsvector', 'bpchar')""")
                .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).list();
        List<String> found = new ArrayList<>();
        for (String[] column : columns) {
            long n = jdbc.sql("SELECT count(*) FROM \"" + column[0] + "\" WHERE strpos(\"" + column[1] + "\"::text, :needle) > 0")
                    .param("needle", needle).query(Long.class).single();
            if (n > 0) {
                found.add(column[0] + "." + column[1]);
            }
        }
        if (columns.size() < 10) {
            throw new IllegalStateException("the schema scan found only " + columns.size() + " text columns");
        }
        return found;
    }
}
