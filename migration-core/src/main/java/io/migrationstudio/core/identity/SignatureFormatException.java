package io.migrationstudio.core.identity;

/** A key or signature that does not parse as its format says; the message names what is wrong. */
public final class SignatureFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SignatureFormatException(String message) {
    super(message);
  }
}
