// Single-file program run by bench/validate.sh (java -cp <migration-core classpath> ValidateBench.java):
// validates pgbench_accounts source -> target with the studio's Validator and prints one line
// "<mode> <seconds> <hash_path> <status> <chunks> <rows>"; mode full first prints the time per check
// ("timings {check=ms, ...}", validation.json's timings_ms of the table).
//   args: SOURCE_URL TARGET_URL USER MODE(sql|client|full) CHUNK_ROWS
//         [SOURCE_USER SOURCE_PASSWORD SOURCE_SCHEMA]   (a MariaDB source: jdbc:mariadb://..., its
//         database as schema; the dialects follow the URLs, USER is then the target's user)
import io.migrationstudio.contracts.spec.ConnectionSpec;
import io.migrationstudio.contracts.spec.MappingOptions;
import io.migrationstudio.contracts.spec.MigrationSpec;
import io.migrationstudio.core.assess.InventoryService;
import io.migrationstudio.core.copy.TargetSchema;
import io.migrationstudio.core.dialect.Dialect;
import io.migrationstudio.core.dialect.Dialects;
import io.migrationstudio.core.mapping.MappingDocument;
import io.migrationstudio.core.mapping.MappingGenerator;
import io.migrationstudio.core.report.ArtifactPaths;
import io.migrationstudio.core.report.EvidenceMask;
import io.migrationstudio.core.report.Json;
import io.migrationstudio.core.validate.CheckTimings;
import io.migrationstudio.core.validate.ValidationReport;
import io.migrationstudio.core.validate.Validator;
import java.sql.Connection;
import java.sql.DriverManager;

public class ValidateBench {
  public static void main(String[] args) throws Exception {
    String src = args[0], tgt = args[1], user = args[2], mode = args[3];
    int chunkRows = Integer.parseInt(args[4]);
    String srcUser = args.length > 5 ? args[5] : user;
    String srcPassword = args.length > 6 ? args[6] : "";
    String srcSchema = args.length > 7 ? args[7] : "public";
    Dialect sd = Dialects.forUrl(src);
    Dialect td = Dialects.forUrl(tgt);
    try (Connection s = DriverManager.getConnection(src, srcUser, srcPassword);
        Connection t = DriverManager.getConnection(tgt, user, "")) {
      MigrationSpec spec =
          new MigrationSpec(
              "bench",
              null,
              new ConnectionSpec(src, srcUser, null, srcSchema),
              new ConnectionSpec(tgt, user, null, "public"),
              null,
              new MappingOptions("identity", null),
              null,
              null,
              null,
              null,
              null, null);
      MappingDocument mapping =
          new MappingGenerator()
              .generate(
                  InventoryService.introspect(s, sd, srcSchema, n -> n.equals("pgbench_accounts")),
                  spec,
                  null);
      Validator v =
          new Validator(sd, td, TargetSchema.DEFAULT_STUDIO_SCHEMA, 256, !mode.equals("client"));
      long t0 = System.nanoTime();
      CheckTimings timings = new CheckTimings(java.time.Clock.systemUTC());
      ValidationReport r =
          mode.equals("full")
              ? Json.read(
                  v.validate(s, t, mapping, "bench", 100, chunkRows, EvidenceMask.masked(), timings)
                      .files()
                      .get(ArtifactPaths.VALIDATION_JSON),
                  ValidationReport.class,
                  ArtifactPaths.VALIDATION_JSON)
              : v.checksums(s, t, mapping, "bench", chunkRows);
      double secs = (System.nanoTime() - t0) / 1e9;
      if (mode.equals("full")) {
        System.out.println("timings " + new java.util.TreeMap<>(timings.of("pgbench_accounts")));
      }
      ValidationReport.TableValidation tv = r.tables().get(0);
      // a FAIL is a finding, not a number: show what differs (before the result line)
      tv.differences().stream().limit(3).forEach(d -> System.out.println("difference: " + d));
      System.out.printf(
          "%s %.3f %s %s %d %d%n",
          mode, secs, tv.hashPath(), tv.status(), tv.chunks(), tv.sourceRows());
    }
  }
}
