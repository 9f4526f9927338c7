package io.jprune.testmodels.signature;

/** Named only as a field type by {@link SignatureOnly}. */
public final class FieldOnly {}
