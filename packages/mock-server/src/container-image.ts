import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GenericContainer, getContainerRuntimeClient, ImageName } from 'testcontainers';

const execFileAsync = promisify(execFile);

/** Which base the image was built on: see `container/Dockerfile`. */
export type ImageBase = 'scratch' | 'node';

/** Options of {@link buildMockServerImage}. */
export interface BuildMockServerImageOptions {
  /** The image's name. Default: {@link DEFAULT_MOCK_SERVER_IMAGE}. */
  imageName?: string;
  /**
   * `scratch`: assemble Node from the host (Linux only; nothing is pulled). `node`: `FROM`
   * {@link BuildMockServerImageOptions.nodeImage}. `auto`: `node` when the host is not Linux or
   * the node image is present or can be pulled, `scratch` otherwise. Default: `'auto'`.
   */
  base?: ImageBase | 'auto';
  /** The base image of the `node` path. Default: `'node:24-slim'`. */
  nodeImage?: string;
  /** The bundled server. Default: `dist/mock-server.mjs` of this package (built by `build`). */
  serverBundle?: string;
  /** The Node binary for the `scratch` path. Default: `process.execPath`. */
  nodeBinary?: string;
  /** How long `auto` waits for a pull of the node image before choosing `scratch`. Default: 60 s. */
  pullTimeoutMs?: number;
}

/** What {@link buildMockServerImage} built. */
export interface BuiltMockServerImage {
  readonly imageName: string;
  readonly base: ImageBase;
  /** Why `base` was chosen, for logs and the README. */
  readonly reason: string;
}

/** The image name the container module uses by default. */
export const DEFAULT_MOCK_SERVER_IMAGE = 'ropkit/mock-server:local';

/** The package's directory: `src/` and `dist/` both sit one level below it. */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The shared libraries `ldd` lists for `binary`, as absolute paths (the loader included). */
async function sharedLibraries(binary: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('ldd', [binary]));
  } catch (error) {
    throw new Error(
      `ldd could not list the libraries of ${binary}; install libc-bin or use base "node"`,
      {
        cause: error,
      },
    );
  }
  // "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)";
  // linux-vdso has no file.
  return stdout
    .split('\n')
    .map((line) => /(\/\S+)/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function chooseBase(
  requested: ImageBase | 'auto',
  nodeImage: string,
  pullTimeoutMs: number,
): Promise<{ base: ImageBase; reason: string }> {
  if (requested !== 'auto') return { base: requested, reason: `base "${requested}" was requested` };
  if (process.platform !== 'linux') {
    return {
      base: 'node',
      reason: `the host's Node is a ${process.platform} binary, not a Linux one`,
    };
  }
  const client = await getContainerRuntimeClient();
  const image = ImageName.fromString(nodeImage);
  if (await client.image.exists(image))
    return { base: 'node', reason: `${nodeImage} is present locally` };
  try {
    await withTimeout(client.image.pull(image), pullTimeoutMs);
    return { base: 'node', reason: `${nodeImage} was pulled` };
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { base: 'scratch', reason: `${nodeImage} could not be pulled (${why})` };
  }
}

/** Writes the minimal build context: Dockerfile, .dockerignore, app/server.mjs and rootfs/. */
async function assembleContext(
  contextDir: string,
  base: ImageBase,
  serverBundle: string,
  nodeBinary: string,
): Promise<void> {
  await copyFile(join(PACKAGE_DIR, 'container', 'Dockerfile'), join(contextDir, 'Dockerfile'));
  // The context is assembled, so nothing else is in it; the allow-list keeps it that way.
  await writeFile(join(contextDir, '.dockerignore'), '*\n!Dockerfile\n!app\n!rootfs\n');
  await mkdir(join(contextDir, 'app'));
  await copyFile(serverBundle, join(contextDir, 'app', 'server.mjs'));
  const rootfs = join(contextDir, 'rootfs');
  // The build context drops empty directories, and `COPY rootfs/ /` needs one: a marker that also
  // records, inside the image, which base it was built on.
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await writeFile(join(rootfs, 'etc', 'ropkit-mock-server-image-base'), `${base}\n`);
  if (base === 'node') return;
  const files = [
    { from: nodeBinary, to: '/usr/local/bin/node' },
    ...(await sharedLibraries(nodeBinary)).map((library) => ({ from: library, to: library })),
  ];
  for (const { from, to } of files) {
    const target = join(rootfs, to);
    await mkdir(dirname(target), { recursive: true });
    // copyFile follows symbolic links, so the image gets the libraries' contents; it keeps the mode.
    await copyFile(from, target);
  }
}

/**
 * Builds the mock server's image through the Docker engine testcontainers finds, from a build
 * context assembled in a temporary directory (so no repository is sent to the engine). See
 * `container/Dockerfile` for the two bases.
 */
export async function buildMockServerImage(
  options: BuildMockServerImageOptions = {},
): Promise<BuiltMockServerImage> {
  const imageName = options.imageName ?? DEFAULT_MOCK_SERVER_IMAGE;
  const nodeImage = options.nodeImage ?? 'node:24-slim';
  const serverBundle = options.serverBundle ?? join(PACKAGE_DIR, 'dist', 'mock-server.mjs');
  try {
    await access(serverBundle);
  } catch {
    throw new Error(
      `The bundled server ${serverBundle} is missing: run the package's build, or pass serverBundle`,
    );
  }
  const { base, reason } = await chooseBase(
    options.base ?? 'auto',
    nodeImage,
    options.pullTimeoutMs ?? 60_000,
  );
  const contextDir = await mkdtemp(join(tmpdir(), 'ropkit-mock-server-image-'));
  try {
    await assembleContext(contextDir, base, serverBundle, options.nodeBinary ?? process.execPath);
    await GenericContainer.fromDockerfile(contextDir)
      .withBuildArgs({ BASE_IMAGE: base === 'node' ? nodeImage : 'scratch' })
      .build(imageName, { deleteOnExit: false });
  } finally {
    await rm(contextDir, { recursive: true, force: true });
  }
  return { imageName, base, reason };
}
