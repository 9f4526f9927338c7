package io.jprune.pruner.cut;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.LongArrayRef;

/**
 * A {@link LongArrayRef} that owns its elements. {@code new LongArrayRef(long[], n)} points at the
 * copy JNI makes of the array for the constructor call alone, freed when it returns; here the
 * elements live in native memory held by this object, so they outlive the op that reads them.
 */
public final class OwnedLongArrayRef extends LongArrayRef {
  @SuppressWarnings("unused") // keeps the elements reachable as long as the ref is
  private final LongPointer data;

  private OwnedLongArrayRef(LongPointer data, long length) {
    super(data, length);
    this.data = data;
  }

  /** A ref to a native copy of {@code values} that lives as long as the ref. */
  public static LongArrayRef of(long[] values) {
    return new OwnedLongArrayRef(new LongPointer(values), values.length);
  }
}
