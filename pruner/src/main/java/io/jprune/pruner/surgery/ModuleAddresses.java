package io.jprune.pruner.surgery;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.function.Predicate;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringSharedModuleDict;

/**
 * Whether a module belongs to one model: its native address is the root's or that of a module
 * registered under it. Java subclasses and their plain {@code named_modules()} views share the
 * address. Holds addresses only, never the root, so that the model can be collected.
 */
final class ModuleAddresses implements Predicate<Object> {
  private final long[] sorted;

  private ModuleAddresses(long[] sorted) {
    this.sorted = sorted;
  }

  /** The root and every module registered under it, as they are now. */
  static ModuleAddresses of(Module root) {
    StringSharedModuleDict named = root.named_modules();
    long[] addresses = new long[(int) named.size() + 1];
    for (int i = 0; i < addresses.length - 1; i++) {
      addresses[i] = named.get(i).value().address();
    }
    Reference.reachabilityFence(named); // the items point into the dict
    addresses[addresses.length - 1] = root.address();
    Arrays.sort(addresses);
    return new ModuleAddresses(addresses);
  }

  @Override
  public boolean test(Object module) {
    return module instanceof Module m && Arrays.binarySearch(sorted, m.address()) >= 0;
  }
}
