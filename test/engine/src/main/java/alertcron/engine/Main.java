package alertcron.engine;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;

import org.codelibs.opensearch.runner.OpenSearchRunner;
import org.opensearch.common.settings.Settings;

/**
 * Starts one OpenSearch 2.19 node for the tests (see test/support/engine.ts).
 *
 * System properties: engine.port (HTTP, default 9250), engine.transport (a port or
 * a range "A-B"; default HTTP port + 100), engine.dir (base directory, deleted on
 * exit; default a new temp dir), engine.parentPid (optional: exit when that process
 * exits). Prints exactly one line "READY http://127.0.0.1:PORT" to stdout once the
 * cluster is at least yellow, then blocks until SIGTERM/SIGINT. Any startup failure
 * is printed to stderr and exits with status 1 (the runner's own main() swallows
 * errors).
 */
public final class Main {
    private Main() {
    }

    public static void main(final String[] args) {
        // OpenSearch's log setup reroutes System.out/err into log4j ("[INFO ][stdout]"),
        // so write the READY line and errors to the raw file descriptors.
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        final OpenSearchRunner runner = new OpenSearchRunner();
        // http.port is set below; skip the runner's probing of 9201.. for a free port.
        runner.setMaxHttpPort(-1);
        try {
            final int port = Integer.parseInt(System.getProperty("engine.port", "9250"));
            // a port or a range such as "9350-9449" (the first free one is used)
            final String transport = System.getProperty("engine.transport", String.valueOf(port + 100));
            final String dirProp = System.getProperty("engine.dir");
            final Path dir = dirProp == null || dirProp.isEmpty()
                    ? Files.createTempDirectory("alertcron-engine")
                    : Paths.get(dirProp);
            Files.createDirectories(dir);

            final CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    runner.close();
                } catch (final IOException | RuntimeException e) {
                    err.println("engine: close failed: " + e);
                }
                try {
                    runner.clean();
                } catch (final RuntimeException e) {
                    err.println("engine: clean failed: " + e);
                }
                stopped.countDown();
            }, "alertcron-engine-shutdown"));

            // Exit with the process that started us, so a crashed test run leaves no node behind.
            final String parentPid = System.getProperty("engine.parentPid", "");
            if (!parentPid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(parentPid)).ifPresentOrElse(
                        parent -> parent.onExit().thenRun(() -> System.exit(0)),
                        () -> System.exit(0));
            }

            runner.onBuild((number, settings) -> {
                settings.put("http.port", String.valueOf(port));
                settings.put("transport.port", transport);
                settings.put("network.host", "127.0.0.1");
                settings.put("discovery.type", "single-node");
                settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
                // Small heap: do not trip the parent breaker on GC-lagging heap usage.
                settings.put("indices.breaker.total.use_real_memory", false);
                // Quiet two warnings that a single test node prints on every start/index creation.
                settings.put("logger.org.opensearch.cluster.routing.allocation.AllocationService", "error");
                settings.put("logger.org.opensearch.gateway.DanglingIndicesState", "error");
            });
            runner.build(OpenSearchRunner.newConfigs()
                    .basePath(dir.toAbsolutePath().toString())
                    .clusterName("alertcron-test")
                    .numOfNode(1));
            runner.ensureYellow();
            // One node: new indices default to 0 replicas, so they turn green. This is
            // read from the cluster metadata, not from node settings, hence the API call.
            runner.client().admin().cluster().prepareUpdateSettings()
                    .setPersistentSettings(Settings.builder().put("cluster.default_number_of_replicas", 0))
                    .get();

            out.println("READY http://127.0.0.1:" + port);
            stopped.await();
        } catch (final Throwable t) {
            System.out.flush();
            System.err.flush();
            err.println("engine: failed to start: " + t);
            t.printStackTrace(err);
            err.flush();
            // halt: skip the shutdown hook (its close() could hang on a half-built node).
            Runtime.getRuntime().halt(1);
        }
    }
}
