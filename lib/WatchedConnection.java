//SOURCES Watcher.java
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A session whose blocking calls (a statement's execution, commit, rollback) are each told to the
 * run's {@link Watcher} as they start and end, so that a long one gets a live line and a silent link
 * is found. A proxy of java.sql's own interfaces over the driver's connection, which stays reachable
 * through unwrap (pgjdbc's PGConnection: cancel, COPY, the server's parameters).
 */
final class WatchedConnection implements InvocationHandler {
    /** The driver's connection. */
    final Connection raw;
    private final Watcher watcher;
    private Connection proxy;
    /** The session's server process, once the server has said it (0: not known: its state cannot be judged). */
    volatile int serverPid;

    private WatchedConnection(Connection raw, Watcher watcher) {
        this.raw = raw;
        this.watcher = watcher;
    }

    static Connection wrap(Connection raw, Watcher watcher) {
        WatchedConnection w = new WatchedConnection(raw, watcher);
        // defined by the kit's own class loader, which sees the driver's classes: Flyway finds pgjdbc's COPY API through the connection's class loader
        w.proxy = (Connection) Proxy.newProxyInstance(WatchedConnection.class.getClassLoader(), new Class<?>[] {Connection.class}, w);
        return w.proxy;
    }

    /** The session's server process, as the server said it (pg_backend_pid() in the session itself); a connection not watched ignores it. */
    static void serverPid(Connection c, int pid) {
        try {
            if (c.isWrapperFor(WatchedConnection.class)) c.unwrap(WatchedConnection.class).serverPid = pid;
        } catch (SQLException ignored) {
            // not one of the kit's watched sessions
        }
    }

    @Override
    public Object invoke(Object self, Method m, Object[] args) throws Throwable {
        switch (m.getName()) {
            case "equals" -> {
                return self == args[0];
            }
            case "hashCode" -> {
                return System.identityHashCode(self);
            }
            case "unwrap" -> {
                if (args[0] == WatchedConnection.class) return this;
                return m.invoke(raw, args);
            }
            case "isWrapperFor" -> {
                return args[0] == WatchedConnection.class || (Boolean) m.invoke(raw, args);
            }
            case "createStatement", "prepareStatement", "prepareCall" -> {
                return statement((Statement) call(raw, m, args));
            }
            case "commit", "rollback", "setAutoCommit" -> {
                return watched(raw, m, args);
            }
            default -> {
                return call(raw, m, args);
            }
        }
    }

    /** The statement's executions are watched; its connection is this proxy. */
    private Statement statement(Statement st) {
        Class<?> type = st instanceof CallableStatement ? CallableStatement.class : st instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
        return (Statement) Proxy.newProxyInstance(WatchedConnection.class.getClassLoader(), new Class<?>[] {type}, (self, m, args) -> {
            if (m.getName().startsWith("execute")) return watched(st, m, args);
            if (m.getName().equals("getConnection")) return proxy;
            return call(st, m, args);
        });
    }

    private Object watched(Object target, Method m, Object[] args) throws Throwable {
        Watcher.Call watch = watcher.begin(this);
        Throwable failure = null;
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            failure = e.getCause();
            throw watcher.failed(watch, failure);
        } finally {
            watcher.end(watch, failure == null);
        }
    }

    private static Object call(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * A call ended by the watcher because the link went silent: SQLState 08006 (connection failure),
     * as the driver would say of a broken link, with the watcher's sentence of what it saw.
     */
    static final class SilentLink extends SQLException {
        /** Whether the server had the session inside a transaction when the link went silent (then it rolls back). */
        final boolean inTransaction;

        SilentLink(String sentence, boolean inTransaction, Throwable cause) {
            super(sentence, "08006", cause);
            this.inTransaction = inTransaction;
        }
    }
}
