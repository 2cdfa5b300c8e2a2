package io.migrationstudio.workflow;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;

/** Recognises a start refused because the namespace lacks a search attribute. */
final class SearchAttributesStart {
  private SearchAttributesStart() {}

  /**
   * Whether {@code e} is the server's INVALID_ARGUMENT for an unknown search attribute (a cluster
   * or the test server whose namespace has not registered it).
   */
  static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException s
          && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT
          && String.valueOf(s.getStatus().getDescription())
              .toLowerCase(Locale.ROOT)
              .contains("search attribute")) {
        return true;
      }
    }
    return false;
  }
}
