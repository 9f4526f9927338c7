package io.jprune.pruner.app;

import java.util.List;
import java.util.ResourceBundle;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A {@link System.Logger} for messages logged from a shutdown hook, made before the JVM exits.
 *
 * <p>java.util.logging's {@code LogManager} resets itself in a shutdown hook of its own, which the
 * JVM runs at the same time as every other hook: it closes and detaches every handler, so a record
 * logged after that is dropped without a trace (measured on JDK 17: an INFO record logged through
 * {@code System.getLogger} 300 ms into a shutdown hook does not appear). When java.util.logging is
 * the {@code System.Logger} backend, this logger takes, when it is made, the handlers that would
 * receive its records and the level that applies, and publishes its records to those handlers
 * directly. {@code ConsoleHandler}'s {@code close} only flushes, so the console keeps working after
 * the reset (a {@code FileHandler} closed by it drops the record). With another backend, that
 * backend's own logger is used as it is.
 */
final class ExitLogger implements System.Logger {
  private final String name;
  private final java.util.logging.Level threshold;
  private final List<Handler> handlers;

  private ExitLogger(String name, java.util.logging.Level threshold, List<Handler> handlers) {
    this.name = name;
    this.threshold = threshold;
    this.handlers = handlers;
  }

  /** A logger named {@code name} whose records survive java.util.logging's reset at exit. */
  static System.Logger of(String name) {
    System.LoggerFinder finder = System.LoggerFinder.getLoggerFinder();
    if (finder.getClass().getModule() != Logger.class.getModule()) {
      return System.getLogger(name); // not java.util.logging: its own shutdown is its business
    }
    Logger jul = Logger.getLogger(name);
    return new ExitLogger(name, thresholdOf(jul), handlersOf(jul));
  }

  /** The level a record needs to pass {@code logger}: its own or its nearest ancestor's. */
  private static java.util.logging.Level thresholdOf(Logger logger) {
    for (Logger l = logger; l != null; l = l.getParent()) {
      if (l.getLevel() != null) {
        return l.getLevel();
      }
    }
    return java.util.logging.Level.INFO;
  }

  /** The handlers a record of {@code logger} goes to: its own, then its ancestors' in turn. */
  private static List<Handler> handlersOf(Logger logger) {
    List<Handler> out = new java.util.ArrayList<>();
    for (Logger l = logger; l != null; l = l.getUseParentHandlers() ? l.getParent() : null) {
      out.addAll(List.of(l.getHandlers()));
    }
    return List.copyOf(out);
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean isLoggable(Level level) {
    java.util.logging.Level jul = julLevel(level);
    return threshold != java.util.logging.Level.OFF
        && jul != java.util.logging.Level.OFF
        && jul.intValue() >= threshold.intValue();
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    if (isLoggable(level)) {
      LogRecord r = record(level, bundle, msg);
      r.setThrown(thrown);
      publish(r);
    }
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    if (isLoggable(level)) {
      LogRecord r = record(level, bundle, format);
      r.setParameters(params);
      publish(r);
    }
  }

  private LogRecord record(Level level, ResourceBundle bundle, String msg) {
    LogRecord r = new LogRecord(julLevel(level), msg);
    r.setLoggerName(name);
    r.setResourceBundle(bundle);
    // no caller to infer (no java.util.logging.Logger frame): formatters show the logger's name
    r.setSourceClassName(null);
    return r;
  }

  private void publish(LogRecord r) {
    for (Handler h : handlers) {
      h.publish(r);
      h.flush();
    }
  }

  /**
   * The java.util.logging level of {@code level}, as the JDK's own System.Logger bridge maps it.
   */
  private static java.util.logging.Level julLevel(Level level) {
    return switch (level) {
      case ALL -> java.util.logging.Level.ALL;
      case TRACE -> java.util.logging.Level.FINER;
      case DEBUG -> java.util.logging.Level.FINE;
      case INFO -> java.util.logging.Level.INFO;
      case WARNING -> java.util.logging.Level.WARNING;
      case ERROR -> java.util.logging.Level.SEVERE;
      case OFF -> java.util.logging.Level.OFF;
    };
  }
}
