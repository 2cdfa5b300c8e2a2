/**
 * Change capture for {@code migrate.strategy: online}: a source's log (PostgreSQL logical decoding
 * with {@code pgoutput}, MariaDB/MySQL row-based binlog) read as whole {@link
 * io.migrationstudio.core.cdc.SourceTransaction source transactions}, applied to the target through
 * the copy's mapping, exactly once.
 *
 * <p>The model shared by the readers and the applier:
 *
 * <ul>
 *   <li>{@link io.migrationstudio.core.cdc.RowChange}: one row's change, values as the source
 *       server's text;
 *   <li>{@link io.migrationstudio.core.cdc.SourceTransaction}: the changes of one committed source
 *       transaction with its commit {@link io.migrationstudio.core.cdc.StreamPosition};
 *   <li>{@link io.migrationstudio.core.cdc.ChunkSnapshot}: what one copied chunk already holds, so
 *       the hand-off from copy to stream neither loses nor repeats a change;
 *   <li>{@link io.migrationstudio.core.cdc.ChangeSource}: a reader of one engine's log.
 * </ul>
 */
package io.migrationstudio.core.cdc;
