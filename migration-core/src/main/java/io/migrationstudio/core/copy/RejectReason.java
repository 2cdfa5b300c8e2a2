package io.migrationstudio.core.copy;

import io.migrationstudio.core.mapping.ColumnMapping;
import io.migrationstudio.core.mapping.TableMapping;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.schema.ForeignKey;
import io.migrationstudio.core.schema.IndexInfo;
import io.migrationstudio.core.schema.KeyConstraint;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rejected row's reason as a failure message quotes it. The message of a chunk over {@code
 * migrate.reject_limit} travels into the run report ({@code run.{json,md}}), the status and {@code
 * PULL_REQUEST.md}, all committed evidence, while a reason can quote the row's value ({@code value
 * 'abc' ...}, the zero date, the bytes of invalid text). So the message shows the reason through
 * the default evidence mask: quoted values as their shape, hex bytes as their length; names of the
 * table, its columns, keys and indexes kept. The plain reason and row stay in the rejects table on
 * the target, which holds the data anyway. The same mask covers a chunk that fails with a database
 * error (its message goes the same way): PostgreSQL's {@code Key (email)=(astrid@apple.at)} details
 * show the key's values as their shape.
 */
final class RejectReason {
  private static final Pattern HEX = Pattern.compile("\\\\x([0-9a-fA-F]{2})+");

  /** The values of a key in a server's detail: {@code Key (a, b)=(1, x@y.z)}. */
  private static final Pattern KEY_VALUES =
      Pattern.compile("\\)=\\((.*?)\\)( already exists| is not present|$|\\.|\\s)");

  private RejectReason() {}

  static String masked(TableMapping table, String reason) {
    if (reason == null) {
      return null;
    }
    List<String> names = new ArrayList<>(List.of(table.source(), table.target()));
    for (ColumnMapping c : table.columns()) {
      names.add(c.source());
      names.add(c.target());
    }
    table.uniqueKeys().stream().map(KeyConstraint::name).forEach(names::add);
    table.foreignKeys().stream().map(ForeignKey::name).forEach(names::add);
    table.indexes().stream().map(IndexInfo::name).forEach(names::add);
    String quoted = EvidenceMask.masked().quoted(table.source(), null, reason, names);
    Matcher m = HEX.matcher(quoted);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, "<" + (m.group().length() - 2) / 2 + " bytes>");
    }
    m.appendTail(sb);
    Matcher k = KEY_VALUES.matcher(sb.toString());
    StringBuilder out = new StringBuilder();
    while (k.find()) {
      String values = EvidenceMask.masked().text(table.source(), "\u0000", k.group(1));
      k.appendReplacement(out, Matcher.quoteReplacement(")=(" + values + ")" + k.group(2)));
    }
    k.appendTail(out);
    return out.toString();
  }
}
