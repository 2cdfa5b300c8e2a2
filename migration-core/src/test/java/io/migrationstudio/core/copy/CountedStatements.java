package io.migrationstudio.core.copy;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * A real connection behind a JDBC proxy that counts the statements executed through it (every
 * {@code execute*} call of a statement it created): the round trips a piece of code makes to the
 * database.
 */
final class CountedStatements {
  private int executed;

  /** {@code c} counting into this. */
  Connection wrap(Connection c) {
    return proxy(Connection.class, c);
  }

  /** Statements executed so far through connections this wrapped. */
  int executed() {
    return executed;
  }

  private <T> T proxy(Class<T> type, T real) {
    InvocationHandler h =
        (p, m, args) -> {
          if (m.getName().startsWith("execute") && Statement.class.isAssignableFrom(type)) {
            executed++;
          }
          Object out = invoke(m, real, args);
          return wrapped(m.getReturnType(), out);
        };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h));
  }

  private Object wrapped(Class<?> returned, Object out) {
    if (out == null) {
      return null;
    }
    if (returned == CallableStatement.class) {
      return proxy(CallableStatement.class, (CallableStatement) out);
    }
    if (returned == PreparedStatement.class) {
      return proxy(PreparedStatement.class, (PreparedStatement) out);
    }
    if (returned == Statement.class) {
      return proxy(Statement.class, (Statement) out);
    }
    return out;
  }

  private static Object invoke(Method m, Object real, Object[] args) throws Throwable {
    try {
      return m.invoke(real, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
