package io.migrationstudio.core.git;

import io.migrationstudio.contracts.ErrorCode;
import io.migrationstudio.contracts.MigrationException;
import io.migrationstudio.core.identity.StudioSigningKey;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteConfig;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * The artifact store on a bare git repository ({@code <home>/artifacts/repo.git}) pushed to the
 * remote {@code origin} (by default the bare repository {@code <home>/artifacts/remote.git}).
 *
 * <p>There is no work tree: a commit is built in memory (the remote head's tree read into an
 * in-core {@link DirCache}, the new blobs edited over it, the tree written through an {@link
 * ObjectInserter}), so concurrent activities never fight over a checkout.
 *
 * <p>Concurrency: the remote is the single source of truth. Every write fetches, builds the commit
 * on the head the remote advertised, and pushes with that head as the expected old value
 * (compare-and-set). When another process (or another store on the same home) moved the branch in
 * between, the push is rejected and the write is re-applied on the new head, up to {@code
 * maxAttempts} times with jittered exponential backoff; then it fails with {@code GIT_FAILURE}. A
 * lock per artifacts directory ({@link DirectoryLock}: in-JVM and an OS file lock) serialises all
 * git operations of every store and process on one home. Branch names are always resolved from the
 * remote's advertisement, so reads see every process's writes.
 */
public final class GitArtifactStore implements ArtifactStore, AutoCloseable {
  /** Push attempts before a write gives up (each after a fresh fetch). */
  public static final int DEFAULT_MAX_ATTEMPTS = 12;

  /** First backoff between attempts; doubled each attempt, jittered, capped at 1 s. */
  private static final long BACKOFF_BASE_MILLIS = 20;

  private static final long BACKOFF_CAP_MILLIS = 1_000;
  private static final String MAIN = "main";
  private static final String REMOTE = "origin";
  private static final String EMAIL_DOMAIN = "migration-studio";
  private static final Pattern COMMIT_ID = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern UNSAFE_IDENT = Pattern.compile("[<>\\s]+");

  private final Repository repo;
  private final String remoteUri;
  private final int maxAttempts;
  private final DirectoryLock lock;

  /** Signs every commit this store makes, when set ({@link #signWith}); null: unsigned. */
  private volatile StudioSigningKey signingKey;

  /** Why the last push or fetch attempt did not go through (guarded by {@link #lock}). */
  private String lastRejection = "";

  private GitArtifactStore(Repository repo, String remoteUri, int maxAttempts, DirectoryLock lock) {
    this.lock = lock;
    this.repo = repo;
    this.remoteUri = remoteUri;
    this.maxAttempts = maxAttempts;
  }

  /**
   * From now on signs every commit this store makes with {@code key} (git's SSH format: a {@code
   * gpgsig} header holding an SSHSIG in namespace {@code git}, which {@code git verify-commit}
   * checks against an allowed-signers file); null stops signing. Returns this store.
   */
  public GitArtifactStore signWith(StudioSigningKey key) {
    this.signingKey = key;
    return this;
  }

  /** Signs {@code commit} with the studio's key, when one is set. */
  private void sign(CommitBuilder commit) throws IOException {
    StudioSigningKey key = signingKey;
    if (key != null) {
      commit.setGpgSignature(
          new org.eclipse.jgit.lib.GpgSignature(
              key.signCommit(commit.build()).getBytes(StandardCharsets.US_ASCII)));
    }
  }

  /**
   * Opens (creating on first use) the store of a studio home. {@code remoteUri} null or blank means
   * the local bare repository {@code <home>/artifacts/remote.git}, created when missing; otherwise
   * any URI JGit can push to. The remote gets a {@code main} branch with an initial commit when it
   * has none.
   */
  public static GitArtifactStore open(Path home, String remoteUri) {
    return open(home, remoteUri, DEFAULT_MAX_ATTEMPTS);
  }

  /** As {@link #open(Path, String)} with another number of push attempts per write. */
  public static GitArtifactStore open(Path home, String remoteUri, int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    Path artifacts = home.resolve("artifacts");
    String uri = remoteUri;
    try {
      // the evidence describes the source: owner-only, however the process's umask is set
      OwnerOnly.directoryIfNew(home);
      OwnerOnly.directory(artifacts);
      // another process (or store) on this home may be opening it right now: one at a time
      DirectoryLock lock = DirectoryLock.of(artifacts);
      lock.lock();
      try {
        List<Path> created = new ArrayList<>();
        if (uri == null || uri.isBlank()) {
          Path remote = artifacts.resolve("remote.git");
          if (initBare(remote)) {
            created.add(remote);
          }
          uri = remote.toAbsolutePath().toUri().toString();
        }
        Path local = artifacts.resolve("repo.git");
        if (initBare(local)) {
          created.add(local);
        }
        Repository repo =
            new FileRepositoryBuilder().setGitDir(local.toFile()).setMustExist(true).build();
        configureRemote(repo, uri);
        GitArtifactStore store = new GitArtifactStore(repo, uri, maxAttempts, lock);
        // every process of a home signs with the studio key the environment names (if any)
        store.signWith(StudioSigningKey.configured(System::getenv));
        store.ensureMain();
        for (Path repository : created) {
          OwnerOnly.tree(repository); // what init, the remote's config and main's commit wrote
        }
        return store;
      } finally {
        lock.unlock();
      }
    } catch (IOException | GitAPIException | URISyntaxException e) {
      throw failure("cannot open the artifact repository under " + artifacts, e);
    }
  }

  /** The URI of the remote every commit is pushed to. */
  public String remoteUri() {
    return remoteUri;
  }

  @Override
  public String openBranch(String branch) {
    checkBranchName(branch);
    return locked(
        () -> {
          for (int attempt = 1; ; attempt++) {
            FetchResult fetched = fetch();
            Ref existing = fetched.getAdvertisedRef(Constants.R_HEADS + branch);
            if (existing != null) {
              return existing.getObjectId().name();
            }
            Ref main = fetched.getAdvertisedRef(Constants.R_HEADS + MAIN);
            if (main == null) {
              throw failure("the remote " + remoteUri + " has no main branch", null);
            }
            if (push(branch, main.getObjectId(), ObjectId.zeroId())) {
              return main.getObjectId().name();
            }
            backoff(attempt, "create branch " + branch);
          }
        });
  }

  @Override
  public CommitOutcome commit(
      String branch, String role, String message, Map<String, byte[]> files) {
    checkBranchName(branch);
    Map<String, byte[]> sorted = new TreeMap<>(files);
    sorted.keySet().forEach(GitArtifactStore::checkPath);
    return locked(
        () -> {
          for (int attempt = 1; ; attempt++) {
            FetchResult fetched = fetch();
            Ref head = fetched.getAdvertisedRef(Constants.R_HEADS + branch);
            Ref main = fetched.getAdvertisedRef(Constants.R_HEADS + MAIN);
            if (head == null && main == null) {
              throw failure("the remote " + remoteUri + " has no main branch", null);
            }
            ObjectId base = head != null ? head.getObjectId() : main.getObjectId();
            ObjectId expectedOld = head != null ? head.getObjectId() : ObjectId.zeroId();
            Prepared prepared = prepare(base, role, message, sorted);
            if (prepared.commit == null && head != null) {
              return new CommitOutcome(base.name(), false, List.of());
            }
            ObjectId newHead = prepared.commit == null ? base : prepared.commit;
            if (push(branch, newHead, expectedOld)) {
              return new CommitOutcome(newHead.name(), prepared.commit != null, prepared.changed);
            }
            backoff(attempt, "commit to " + branch);
          }
        });
  }

  @Override
  public Optional<String> head(String branch) {
    return locked(() -> resolveBranch(branch).map(ObjectId::name));
  }

  @Override
  public Optional<byte[]> read(String commitOrBranch, String path) {
    checkPath(path);
    return locked(
        () -> {
          Optional<ObjectId> commit = resolve(commitOrBranch);
          if (commit.isEmpty()) {
            return Optional.empty();
          }
          try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = walk.parseCommit(commit.get());
            try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
              if (tw == null || tw.getFileMode(0).getObjectType() != Constants.OBJ_BLOB) {
                return Optional.empty();
              }
              return Optional.of(repo.open(tw.getObjectId(0), Constants.OBJ_BLOB).getBytes());
            }
          }
        });
  }

  @Override
  public List<String> list(String commitOrBranch, String directory) {
    String dir = directory == null ? "" : directory.replaceAll("/+$", "");
    if (!dir.isEmpty()) {
      checkPath(dir);
    }
    return locked(
        () -> {
          Optional<ObjectId> commit = resolve(commitOrBranch);
          if (commit.isEmpty()) {
            return List.of();
          }
          List<String> paths = new ArrayList<>();
          try (RevWalk walk = new RevWalk(repo);
              TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(walk.parseCommit(commit.get()).getTree());
            tw.setRecursive(true);
            if (!dir.isEmpty()) {
              tw.setFilter(PathFilter.create(dir));
            }
            while (tw.next()) {
              paths.add(tw.getPathString());
            }
          }
          paths.sort(null);
          return List.copyOf(paths);
        });
  }

  @Override
  public boolean isOnBranch(String branch, String commit) {
    return locked(
        () -> {
          Optional<ObjectId> head = resolveBranch(branch);
          Optional<ObjectId> id = commitId(commit);
          return head.isPresent() && id.isPresent() && mergedInto(id.get(), head.get());
        });
  }

  @Override
  public boolean isAncestor(String ancestor, String descendant) {
    return locked(
        () -> {
          Optional<ObjectId> a = resolve(ancestor);
          Optional<ObjectId> d = resolve(descendant);
          return a.isPresent() && d.isPresent() && mergedInto(a.get(), d.get());
        });
  }

  @Override
  public List<CommitInfo> log(String branch) {
    return locked(
        () -> {
          Optional<ObjectId> head = resolveBranch(branch);
          if (head.isEmpty()) {
            return List.of();
          }
          List<CommitInfo> commits = new ArrayList<>();
          try (RevWalk walk = new RevWalk(repo)) {
            walk.markStart(walk.parseCommit(head.get()));
            for (RevCommit c : walk) {
              commits.add(
                  new CommitInfo(
                      c.name(),
                      c.getAuthorIdent().getName(),
                      c.getFullMessage().strip(),
                      c.getCommitTime() * 1000L,
                      changedPaths(walk, c)));
            }
          }
          return List.copyOf(commits);
        });
  }

  @Override
  public List<String> branches(String prefix) {
    String p = prefix == null ? "" : prefix;
    return locked(
        () -> {
          List<String> names = new ArrayList<>();
          for (Ref ref : fetch().getAdvertisedRefs()) {
            String name = ref.getName();
            if (name.startsWith(Constants.R_HEADS + p)) {
              names.add(name.substring(Constants.R_HEADS.length()));
            }
          }
          names.sort(null);
          return List.copyOf(names);
        });
  }

  @Override
  public void close() {
    repo.close();
  }

  // ---------------------------------------------------------------- writing

  /** A commit built but not yet pushed; {@code commit} null when the tree did not change. */
  private record Prepared(ObjectId commit, List<String> changed) {}

  private Prepared prepare(ObjectId base, String role, String message, Map<String, byte[]> files)
      throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter();
        ObjectReader reader = repo.newObjectReader();
        RevWalk walk = new RevWalk(reader)) {
      RevCommit parent = walk.parseCommit(base);
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, parent.getTree());
      builder.finish();
      List<String> changed = new ArrayList<>();
      DirCacheEditor editor = index.editor();
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        ObjectId blob = inserter.insert(Constants.OBJ_BLOB, file.getValue());
        DirCacheEntry existing = index.getEntry(file.getKey());
        if (existing != null && existing.getObjectId().equals(blob)) {
          continue;
        }
        changed.add(file.getKey());
        editor.add(
            new DirCacheEditor.PathEdit(file.getKey()) {
              @Override
              public void apply(DirCacheEntry entry) {
                entry.setFileMode(FileMode.REGULAR_FILE);
                entry.setObjectId(blob);
              }
            });
      }
      editor.finish();
      ObjectId tree = index.writeTree(inserter);
      if (tree.equals(parent.getTree())) {
        return new Prepared(null, List.of());
      }
      PersonIdent who = ident(role);
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(tree);
      commit.setParentId(parent);
      commit.setAuthor(who);
      commit.setCommitter(who);
      commit.setMessage(message.endsWith("\n") ? message : message + "\n");
      sign(commit);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return new Prepared(id, List.copyOf(changed));
    }
  }

  /**
   * Pushes {@code newId} to the branch if the remote still holds {@code expectedOld} (zero id: the
   * branch must not exist). Returns false when another writer got there first.
   */
  private boolean push(String branch, ObjectId newId, ObjectId expectedOld) throws IOException {
    String ref = Constants.R_HEADS + branch;
    RemoteRefUpdate update =
        new RemoteRefUpdate(
            repo,
            null,
            newId,
            ref,
            false,
            Constants.R_REMOTES + REMOTE + "/" + branch,
            expectedOld);
    PushResult result;
    try (Transport transport = Transport.open(repo, REMOTE)) {
      result = transport.push(NullProgressMonitor.INSTANCE, List.of(update));
    } catch (org.eclipse.jgit.errors.TransportException e) {
      // a lock held by a concurrent writer on the remote surfaces here too: retry
      lastRejection = e.getMessage();
      return false;
    } catch (URISyntaxException e) {
      throw failure("the remote URI " + remoteUri + " is invalid", e);
    }
    RemoteRefUpdate.Status status = result.getRemoteUpdate(ref).getStatus();
    lastRejection =
        status + " " + Optional.ofNullable(result.getRemoteUpdate(ref).getMessage()).orElse("");
    return switch (status) {
      case OK, UP_TO_DATE -> true;
      case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED, REJECTED_OTHER_REASON -> false;
      default ->
          throw failure(
              "push of "
                  + ref
                  + " to "
                  + remoteUri
                  + " failed: "
                  + status
                  + " "
                  + result.getRemoteUpdate(ref).getMessage(),
              null);
    };
  }

  private void backoff(int attempt, String what) {
    if (attempt >= maxAttempts) {
      throw failure(
          what
              + " on "
              + remoteUri
              + " did not succeed in "
              + attempt
              + " attempts (last: "
              + lastRejection.strip()
              + "); other writers kept moving the branch or the remote is unavailable."
              + " Check the remote and retry the activity",
          null);
    }
    long cap = Math.min(BACKOFF_CAP_MILLIS, BACKOFF_BASE_MILLIS << Math.min(attempt - 1, 10));
    try {
      Thread.sleep(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(what + " was interrupted", e);
    }
  }

  private static PersonIdent ident(String role) {
    String name = role == null || role.isBlank() ? "studio" : role.strip();
    String clean = UNSAFE_IDENT.matcher(name).replaceAll("-");
    return new PersonIdent(clean, clean + "@" + EMAIL_DOMAIN);
  }

  // ---------------------------------------------------------------- reading

  private FetchResult fetch() throws IOException {
    IOException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try (Transport transport = Transport.open(repo, REMOTE)) {
        return transport.fetch(
            NullProgressMonitor.INSTANCE,
            List.of(new RefSpec("+refs/heads/*:refs/remotes/" + REMOTE + "/*")));
      } catch (org.eclipse.jgit.errors.TransportException e) {
        // another store on this home may hold a lock on a tracking ref
        last = e;
        lastRejection = e.getMessage();
        backoff(attempt, "fetch from " + remoteUri);
      } catch (URISyntaxException e) {
        throw failure("the remote URI " + remoteUri + " is invalid", e);
      }
    }
    throw failure("fetch from " + remoteUri + " failed", last);
  }

  private Optional<ObjectId> resolveBranch(String branch) throws IOException {
    Ref ref = fetch().getAdvertisedRef(Constants.R_HEADS + branch);
    return ref == null ? Optional.empty() : Optional.of(ref.getObjectId());
  }

  /** A full commit id (fetched when this repository does not have it yet) or a branch name. */
  private Optional<ObjectId> resolve(String commitOrBranch) throws IOException {
    if (commitOrBranch == null || commitOrBranch.isBlank()) {
      return Optional.empty();
    }
    if (COMMIT_ID.matcher(commitOrBranch).matches()) {
      return commitId(commitOrBranch);
    }
    return resolveBranch(commitOrBranch);
  }

  /** A commit id known to this repository (after a fetch if need be), or empty. */
  private Optional<ObjectId> commitId(String commit) throws IOException {
    if (commit == null || !COMMIT_ID.matcher(commit).matches()) {
      return Optional.empty();
    }
    ObjectId id = ObjectId.fromString(commit);
    if (!isCommit(id)) {
      fetch();
      if (!isCommit(id)) {
        return Optional.empty();
      }
    }
    return Optional.of(id);
  }

  private boolean isCommit(ObjectId id) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      walk.parseCommit(id);
      return true;
    } catch (MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
      return false;
    }
  }

  private boolean mergedInto(ObjectId ancestor, ObjectId descendant) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      return walk.isMergedInto(walk.parseCommit(ancestor), walk.parseCommit(descendant));
    }
  }

  private List<String> changedPaths(RevWalk walk, RevCommit c) throws IOException {
    List<String> paths = new ArrayList<>();
    try (TreeWalk tw = new TreeWalk(repo)) {
      tw.setRecursive(true);
      if (c.getParentCount() > 0) {
        tw.addTree(walk.parseCommit(c.getParent(0)).getTree());
        tw.addTree(c.getTree());
        tw.setFilter(TreeFilter.ANY_DIFF);
      } else {
        tw.addTree(c.getTree());
      }
      while (tw.next()) {
        paths.add(tw.getPathString());
      }
    }
    paths.sort(null);
    return paths;
  }

  // ---------------------------------------------------------------- set-up

  /** Creates the bare repository {@code dir} when missing; whether it did. */
  private static boolean initBare(Path dir) throws GitAPIException, IOException {
    if (Files.isRegularFile(dir.resolve("HEAD"))) {
      OwnerOnly.directory(dir); // a repository created before homes were owner-only
      try (Repository existing =
          new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build()) {
        StoredConfig config = existing.getConfig();
        if (config.getBoolean("receive", null, "autogc", true)) {
          noAutoGc(config); // a repository created before this setting
          config.save();
        }
      }
      return false;
    }
    OwnerOnly.directory(dir.getParent());
    try (Git git =
        Git.init().setBare(true).setInitialBranch(MAIN).setDirectory(dir.toFile()).call()) {
      StoredConfig config = git.getRepository().getConfig();
      noAutoGc(config);
      config.save();
    }
    return true;
  }

  /**
   * JGit starts an automatic GC in a background thread after every push it receives (it takes
   * {@code gc.log.lock} in the receiving repository); that thread races the permission walk of a
   * new repository and any later open. The studio's repositories hold a few commits per migration:
   * no automatic GC at all.
   */
  static void noAutoGc(StoredConfig config) {
    config.setInt(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTO, 0);
    config.setBoolean("receive", null, "autogc", false);
  }

  private static void configureRemote(Repository repo, String uri)
      throws IOException, URISyntaxException {
    StoredConfig config = repo.getConfig();
    RemoteConfig remote = new RemoteConfig(config, REMOTE);
    List<URIish> uris = remote.getURIs();
    URIish wanted = new URIish(uri);
    if (uris.size() == 1 && uris.get(0).equals(wanted)) {
      return;
    }
    uris.forEach(remote::removeURI);
    remote.addURI(wanted);
    remote.getFetchRefSpecs().forEach(remote::removeFetchRefSpec);
    remote.addFetchRefSpec(new RefSpec("+refs/heads/*:refs/remotes/" + REMOTE + "/*"));
    remote.update(config);
    config.save();
  }

  /** Gives the remote a {@code main} with one commit (a README line) when it has none. */
  private void ensureMain() {
    locked(
        () -> {
          for (int attempt = 1; ; attempt++) {
            if (fetch().getAdvertisedRef(Constants.R_HEADS + MAIN) != null) {
              return null;
            }
            ObjectId initial = initialCommit();
            if (push(MAIN, initial, ObjectId.zeroId())) {
              return null;
            }
            backoff(attempt, "create main");
          }
        });
  }

  private ObjectId initialCommit() throws IOException {
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      byte[] readme =
          "# Migration Studio evidence\n\nOne branch per migration: migrations/<id>.\n"
              .getBytes(StandardCharsets.UTF_8);
      org.eclipse.jgit.lib.TreeFormatter tree = new org.eclipse.jgit.lib.TreeFormatter();
      tree.append("README.md", FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB, readme));
      PersonIdent who = ident("studio");
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(inserter.insert(tree));
      commit.setAuthor(who);
      commit.setCommitter(who);
      commit.setMessage("Initialise the migration repository\n");
      sign(commit);
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return id;
    }
  }

  // ---------------------------------------------------------------- helpers

  @FunctionalInterface
  private interface GitWork<T> {
    T run() throws IOException;
  }

  private <T> T locked(GitWork<T> work) {
    try {
      lock.lock();
    } catch (IOException e) {
      throw failure("cannot lock " + repo.getDirectory().getParent() + ": " + e.getMessage(), e);
    }
    try {
      return work.run();
    } catch (IOException e) {
      throw failure("git operation on " + repo.getDirectory() + " failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private static void checkBranchName(String branch) {
    if (branch == null || !Repository.isValidRefName(Constants.R_HEADS + branch)) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "'" + branch + "' is not a valid branch name; expected e.g. migrations/<id>");
    }
  }

  private static void checkPath(String path) {
    boolean bad =
        path == null
            || path.isEmpty()
            || path.startsWith("/")
            || path.endsWith("/")
            || path.contains("\\")
            || path.contains("//")
            || path.equals(".git")
            || path.startsWith(".git/");
    if (!bad) {
      for (String segment : path.split("/")) {
        bad |= segment.equals(".") || segment.equals("..");
      }
    }
    if (bad) {
      throw new MigrationException(
          ErrorCode.INVALID_ARTIFACT,
          "'"
              + path
              + "' is not a valid artifact path; expected a relative path like"
              + " 01-assessment/inventory.json");
    }
  }

  private static MigrationException failure(String message, Throwable cause) {
    return new MigrationException(ErrorCode.GIT_FAILURE, message, cause);
  }
}
