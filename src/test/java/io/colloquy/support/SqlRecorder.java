package io.colloquy.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Records every SQL statement the service's own code sends (not the tests', not Flyway's), with the
 * class that sent it, so {@code io.colloquy.schema.TenantScopedSqlTest} can check that each statement
 * on a tenant-owned table names its tenant. Installed in every test context by {@link TestDatabase}.
 */
public final class SqlRecorder implements BeanPostProcessor {

    /** Statement text to the main-code class that first sent it. */
    private static final Map<String, String> STATEMENTS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, Boolean> MAIN_CODE = new ConcurrentHashMap<>();
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    public static Map<String, String> statements() {
        return Map.copyOf(STATEMENTS);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof DataSource dataSource && !(bean instanceof Recording)) {
            return new Recording(dataSource);
        }
        return bean;
    }

    /** The data source as the application sees it: every connection it hands out records its SQL. */
    static final class Recording extends DelegatingDataSource {
        Recording(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            return recording(super.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return recording(super.getConnection(username, password));
        }
    }

    private static Connection recording(Connection connection) {
        return proxy(Connection.class, connection, (method, args) -> {
            String name = method.getName();
            if ((name.equals("prepareStatement") || name.equals("prepareCall")) && args[0] instanceof String sql) {
                record(sql);
            }
            return null;
        }, result -> result instanceof Statement statement && !(result instanceof java.sql.PreparedStatement)
                ? proxy(Statement.class, statement, (method, args) -> {
                    if ((method.getName().startsWith("execute") || method.getName().equals("addBatch"))
                            && args != null && args.length > 0 && args[0] instanceof String sql) {
                        record(sql);
                    }
                    return null;
                }, r -> r)
                : result);
    }

    private interface Before {
        Object apply(Method method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, Before before, java.util.function.UnaryOperator<Object> after) {
        InvocationHandler handler = (p, method, args) -> {
            before.apply(method, args);
            try {
                return after.apply(method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (T) Proxy.newProxyInstance(SqlRecorder.class.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static void record(String sql) {
        mainCodeCaller().ifPresent(caller -> STATEMENTS.putIfAbsent(sql, caller));
    }

    /** The nearest class of the service's own main code on the stack, if the statement came from it. */
    private static Optional<String> mainCodeCaller() {
        return WALKER.walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> c.getName().startsWith("io.colloquy.") && c != SqlRecorder.class
                        && !c.getName().startsWith(SqlRecorder.class.getName()))
                .findFirst())
                .filter(c -> MAIN_CODE.computeIfAbsent(c, SqlRecorder::isMainCode))
                .map(Class::getName);
    }

    private static boolean isMainCode(Class<?> type) {
        var source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        return location != null && !location.getPath().contains("test-classes");
    }
}
