package io.jprune.testmodels;

import org.bytedeco.pytorch.Module;

/** A generic forward: implementations get a javac bridge {@code forward(Object)}. */
public abstract class TypedBlock<T> extends Module {
  public abstract T forward(T x);
}
