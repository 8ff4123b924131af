package dev.captcha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads every manifest under {@code deploy/k8s} with the typed Kubernetes model of the fabric8
 * client, refuses fields the model does not know (a misspelt key), and checks what the service
 * relies on: gRPC probes on the health service's port, resources, env vars that name real server
 * flags, the headless Service and the GPU overlay. No cluster is involved.
 */
class DeployManifestsTest {
  private static final int GRPC_PORT = 50051;

  private final KubernetesSerialization yaml = new KubernetesSerialization();
  private final Path deploy = Repository.root().resolve("deploy");

  private <T> T read(Path file, Class<T> type) throws IOException {
    return parse(Files.readString(file), file.toString(), type);
  }

  private <T> T parse(String text, String source, Class<T> type) {
    Object parsed = yaml.unmarshal(text);
    assertTrue(
        type.isInstance(parsed),
        source
            + " is a "
            + parsed.getClass().getSimpleName()
            + ", expected "
            + type.getSimpleName());
    if (!(parsed instanceof GenericKubernetesResource)) {
      List<String> unknown = unknownFields(parsed);
      assertEquals(List.of(), unknown, source + " has fields the Kubernetes API does not define");
    }
    return type.cast(parsed);
  }

  private static List<String> unknownFields(Object resource) {
    List<String> unknown = new ArrayList<>();
    unknownFields(resource, resource.getClass().getSimpleName(), unknown, new IdentityHashMap<>());
    return unknown;
  }

  /** Collects every key that landed in a typed object's additionalProperties. */
  private static void unknownFields(
      Object node, String path, List<String> out, Map<Object, Boolean> seen) {
    if (node == null || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    if (node instanceof Collection<?> c) {
      int i = 0;
      for (Object o : c) {
        unknownFields(o, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        unknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
      }
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getName().equals("getClass")) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (ReflectiveOperationException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          out.add(path + " " + extra.keySet());
        }
      } else if (!(node instanceof Quantity) && !(node instanceof IntOrString)) {
        unknownFields(value, path + "." + getter.getName().substring(3), out, seen);
      }
    }
  }

  /** The env var names the server's options read, from its sources. */
  /**
   * The environment variables the server reads: one per option, named by the server's rule ({@code
   * CAPTCHA_} and the longest option name in capitals, dashes as underscores).
   */
  private static Set<String> serverEnvVars() {
    Set<String> names = new TreeSet<>();
    for (picocli.CommandLine.Model.OptionSpec o :
        new picocli.CommandLine(new dev.captcha.server.Main()).getCommandSpec().options()) {
      names.add(
          "CAPTCHA_"
              + o.longestName()
                  .replaceFirst("^-+", "")
                  .replace('-', '_')
                  .toUpperCase(java.util.Locale.ROOT));
    }
    return names;
  }

  private static Container server(Deployment d) {
    List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  private static void assertGrpcProbe(Probe probe, String which) {
    assertNotNull(probe, which + " probe missing");
    assertNotNull(probe.getGrpc(), which + " probe must be a grpc: probe on the health service");
    assertEquals(GRPC_PORT, probe.getGrpc().getPort(), which + " probe port");
    assertTrue(
        probe.getGrpc().getService() == null || probe.getGrpc().getService().isEmpty(),
        which + " probe should ask for the whole server's health");
  }

  @Test
  void theFieldCheckFindsAMisspeltKeyDeepInADeployment() {
    String text =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: x
        spec:
          template:
            spec:
              containers:
                - name: server
                  readinessProbe:
                    grcp:
                      port: 50051
        """;
    List<String> unknown = unknownFields(yaml.unmarshal(text));
    assertEquals(1, unknown.size(), "" + unknown);
    assertTrue(unknown.get(0).endsWith("ReadinessProbe [grcp]"), unknown.get(0));
  }

  @Test
  void everyManifestParsesWithTheTypedModelAndKnowsAllItsFields() throws IOException {
    List<Path> manifests;
    try (Stream<Path> files = Files.walk(deploy.resolve("k8s"))) {
      manifests =
          files
              .filter(p -> p.toString().endsWith(".yaml"))
              .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
              .sorted()
              .toList();
    }
    assertEquals(7, manifests.size(), "manifests: " + manifests);
    for (Path file : manifests) {
      HasMetadata resource = read(file, HasMetadata.class);
      assertFalse(
          resource instanceof GenericKubernetesResource,
          file + ": kind " + resource.getKind() + " is not a known Kubernetes kind");
      assertTrue(
          resource.getMetadata().getName().startsWith("captcha-"),
          file + ": " + resource.getMetadata().getName());
    }
  }

  @Test
  void theDeploymentProbesTheGrpcHealthServiceAndSetsResources() throws IOException {
    Deployment d = read(deploy.resolve("k8s/base/deployment.yaml"), Deployment.class);
    Container c = server(d);
    Map<String, Integer> ports = new java.util.HashMap<>();
    for (ContainerPort p : c.getPorts()) {
      ports.put(p.getName(), p.getContainerPort());
    }
    assertEquals(GRPC_PORT, ports.get("grpc"));
    assertEquals(Integer.parseInt(env(c, "CAPTCHA_METRICS_PORT")), ports.get("metrics"));
    assertEquals(Integer.toString(GRPC_PORT), env(c, "CAPTCHA_PORT"));
    assertGrpcProbe(c.getReadinessProbe(), "readiness");
    assertGrpcProbe(c.getLivenessProbe(), "liveness");
    assertGrpcProbe(c.getStartupProbe(), "startup");
    Map<String, Quantity> requests = c.getResources().getRequests();
    Map<String, Quantity> limits = c.getResources().getLimits();
    assertTrue(
        requests.containsKey("cpu") && requests.containsKey("memory"), "requests " + requests);
    assertTrue(limits.containsKey("memory"), "limits " + limits);
    assertTrue(
        Quantity.getAmountInBytes(limits.get("memory"))
                .compareTo(Quantity.getAmountInBytes(requests.get("memory")))
            >= 0);
    assertEquals(
        0,
        d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal(),
        "a rollout must not lower the ready replicas");
    assertTrue(d.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
    // The pod's grace period covers the server's drain.
    long drain =
        java.time.Duration.parse("PT" + env(c, "CAPTCHA_DRAIN_TIMEOUT").toUpperCase()).toSeconds();
    assertTrue(d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > drain);
    assertEquals(
        d.getSpec().getSelector().getMatchLabels(),
        Map.of("app.kubernetes.io/name", "captcha-server"));
  }

  @Test
  void everyServerEnvVarInTheManifestsNamesARealFlag() throws IOException {
    Set<String> known = serverEnvVars();
    assertTrue(
        known.contains("CAPTCHA_PORT") && known.contains("CAPTCHA_MODEL"),
        "server options not found in the sources: " + known);
    Deployment base = read(deploy.resolve("k8s/base/deployment.yaml"), Deployment.class);
    Deployment gpu = read(deploy.resolve("k8s/gpu/deployment-gpu.yaml"), Deployment.class);
    Deployment reload =
        read(deploy.resolve("k8s/hot-reload/deployment-hot-reload.yaml"), Deployment.class);
    Set<String> unknown = new TreeSet<>();
    for (Deployment d : List.of(base, gpu, reload)) {
      for (EnvVar e : server(d).getEnv()) {
        if (e.getName().startsWith("CAPTCHA_") && !known.contains(e.getName())) {
          unknown.add(e.getName());
        }
      }
    }
    for (String dockerfile : List.of("Dockerfile", "Dockerfile.cuda")) {
      Matcher m =
          Pattern.compile("(CAPTCHA_[A-Z0-9_]+)=")
              .matcher(Files.readString(deploy.resolve(dockerfile)));
      while (m.find()) {
        if (!known.contains(m.group(1))) {
          unknown.add(m.group(1));
        }
      }
    }
    assertEquals(Set.of(), unknown, "env vars the server does not read (it reads " + known + ")");
  }

  @Test
  void theHeadlessServicePublishesReadyPodsForClientSideBalancing() throws IOException {
    Deployment d = read(deploy.resolve("k8s/base/deployment.yaml"), Deployment.class);
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    Service headless = read(deploy.resolve("k8s/base/service-headless.yaml"), Service.class);
    Service normal = read(deploy.resolve("k8s/base/service.yaml"), Service.class);
    assertEquals("None", headless.getSpec().getClusterIP());
    assertFalse(Boolean.TRUE.equals(headless.getSpec().getPublishNotReadyAddresses()));
    assertTrue(normal.getSpec().getClusterIP() == null, "the normal Service gets a virtual IP");
    for (Service s : List.of(headless, normal)) {
      assertTrue(
          podLabels.entrySet().containsAll(s.getSpec().getSelector().entrySet()),
          s.getMetadata().getName() + " selects no pod of the Deployment");
      ServicePort grpc =
          s.getSpec().getPorts().stream()
              .filter(p -> "grpc".equals(p.getName()))
              .findFirst()
              .orElseThrow();
      assertEquals(GRPC_PORT, grpc.getPort());
      assertEquals("grpc", grpc.getTargetPort().getStrVal());
    }
    PodDisruptionBudget pdb = read(deploy.resolve("k8s/base/pdb.yaml"), PodDisruptionBudget.class);
    assertTrue(
        podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
  }

  @Test
  void theGpuOverlayUsesTheCudaImageAndAsksForAGpu() throws IOException {
    GenericKubernetesResource base =
        read(deploy.resolve("k8s/base/kustomization.yaml"), GenericKubernetesResource.class);
    GenericKubernetesResource overlay =
        read(deploy.resolve("k8s/gpu/kustomization.yaml"), GenericKubernetesResource.class);
    GenericKubernetesResource reload =
        read(deploy.resolve("k8s/hot-reload/kustomization.yaml"), GenericKubernetesResource.class);
    for (var k :
        List.of(
            Map.entry("base", base), Map.entry("gpu", overlay), Map.entry("hot-reload", reload))) {
      assertEquals("Kustomization", k.getValue().getKind());
      assertTrue(
          Set.of("resources", "images", "patches")
              .containsAll(k.getValue().getAdditionalProperties().keySet()),
          "kustomization fields " + k.getValue().getAdditionalProperties().keySet());
      Path dir = deploy.resolve("k8s").resolve(k.getKey());
      List<?> resources = (List<?>) k.getValue().getAdditionalProperties().get("resources");
      for (Object r : resources) {
        assertTrue(Files.exists(dir.resolve(r.toString())), k.getKey() + ": missing " + r);
      }
    }
    List<?> patches = (List<?>) overlay.getAdditionalProperties().get("patches");
    assertEquals(List.of(Map.of("path", "deployment-gpu.yaml")), patches);
    List<?> images = (List<?>) overlay.getAdditionalProperties().get("images");
    Map<?, ?> image = (Map<?, ?>) images.get(0);
    Deployment d = read(deploy.resolve("k8s/base/deployment.yaml"), Deployment.class);
    assertEquals(server(d).getImage().split(":")[0], image.get("name"));
    assertTrue(image.get("newTag").toString().endsWith("-cuda"), "image " + image);

    Deployment gpu = read(deploy.resolve("k8s/gpu/deployment-gpu.yaml"), Deployment.class);
    assertEquals(d.getMetadata().getName(), gpu.getMetadata().getName());
    Container c = server(gpu);
    assertEquals(server(d).getName(), c.getName(), "the patch must name the base container");
    assertEquals("cuda", env(c, "CAPTCHA_DEVICE"));
    assertEquals(new Quantity("1"), c.getResources().getLimits().get("nvidia.com/gpu"));
  }

  @Test
  void theHotReloadOverlayWatchesTheModelOnTheSharedVolume() throws IOException {
    GenericKubernetesResource k =
        read(deploy.resolve("k8s/hot-reload/kustomization.yaml"), GenericKubernetesResource.class);
    assertEquals(
        List.of(Map.of("path", "deployment-hot-reload.yaml")),
        k.getAdditionalProperties().get("patches"));
    PersistentVolumeClaim pvc =
        read(deploy.resolve("k8s/hot-reload/models-pvc.yaml"), PersistentVolumeClaim.class);
    Deployment d =
        read(deploy.resolve("k8s/hot-reload/deployment-hot-reload.yaml"), Deployment.class);
    Container c = server(d);
    assertEquals("true", env(c, "CAPTCHA_WATCH_MODEL"));
    String model = env(c, "CAPTCHA_MODEL");
    var mount =
        c.getVolumeMounts().stream()
            .filter(m -> model.startsWith(m.getMountPath() + "/"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(model + " is on no mounted volume"));
    var volume =
        d.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow();
    assertEquals(pvc.getMetadata().getName(), volume.getPersistentVolumeClaim().getClaimName());
    assertTrue(
        pvc.getSpec().getAccessModes().contains("ReadWriteMany"),
        "every replica mounts the same model folder");
    Container seed = d.getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertTrue(
        String.join(" ", seed.getCommand()).contains(model), "the init container seeds " + model);
  }

  @Test
  void theDockerfilesBuildWithTheWrapperAndRunAsNonRootWithTheBundledModel() throws IOException {
    Deployment d = read(deploy.resolve("k8s/base/deployment.yaml"), Deployment.class);
    String metricsPort = env(server(d), "CAPTCHA_METRICS_PORT");
    for (String name : List.of("Dockerfile", "Dockerfile.cuda")) {
      String text = Files.readString(deploy.resolve(name));
      List<String> froms = text.lines().filter(l -> l.startsWith("FROM ")).toList();
      assertEquals(2, froms.size(), name + ": a build stage and a run stage");
      assertTrue(froms.get(0).contains("-jdk") && froms.get(0).endsWith(" AS build"), name);
      assertTrue(text.contains("./mvnw ") && text.contains("-pl server -am package"), name);
      assertTrue(text.contains("COPY --from=build /src/server/target/captcha-server.jar"), name);
      assertTrue(text.contains("COPY models/captcha-resnet.onnx "), name);
      assertTrue(text.contains("\nUSER 10001"), name + " must run as a non-root user");
      assertTrue(text.contains("\nEXPOSE " + GRPC_PORT + " " + metricsPort), name);
      assertTrue(Files.exists(deploy.resolve(name + ".dockerignore")), name);
    }
    String cuda = Files.readString(deploy.resolve("Dockerfile.cuda"));
    assertTrue(cuda.contains(" -Pcuda ") && cuda.contains("FROM nvidia/cuda:"), "Dockerfile.cuda");
  }
}
