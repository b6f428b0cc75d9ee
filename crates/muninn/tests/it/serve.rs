//! `muninn serve --tls-cert --tls-key`: HTTPS from the command line with a certificate made at
//! test time, and configuration errors that stop the command naming the file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::muninn;

#[test]
fn serve_speaks_https_with_the_given_certificate_and_names_a_bad_file() {
    let work = tempfile::tempdir().expect("tempdir");
    let data = work.path().join("data");
    let input = work.path().join("in.jsonl");
    std::fs::write(&input, "{\"title\": \"tls\", \"body\": \"served over TLS\"}\n").expect("write");
    assert!(muninn(&data, &["ingest", input.to_str().expect("path")]).status.success());
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("certificate");
    let cert = work.path().join("cert.pem");
    let key = work.path().join("key.pem");
    std::fs::write(&cert, made.cert.pem()).expect("cert");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("key");
    let garbage = work.path().join("garbage.pem");
    std::fs::write(&garbage, "not PEM\n").expect("garbage");
    let missing = work.path().join("missing.pem");
    let path = |p: &std::path::Path| p.to_str().expect("path").to_owned();

    // (flags, the text stderr must hold)
    let refused: [(Vec<String>, String); 3] = [
        (vec!["--tls-cert".into(), path(&missing), "--tls-key".into(), path(&key)], path(&missing)),
        (vec!["--tls-cert".into(), path(&cert), "--tls-key".into(), path(&garbage)], path(&garbage)),
        (vec!["--tls-cert".into(), path(&cert)], "--tls-key".to_owned()),
    ];
    for (flags, expected) in refused {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend(flags.iter().map(String::as_str));
        let output = muninn(&data, &args);
        assert_eq!(output.status.code(), Some(2), "{flags:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&expected), "{flags:?}: {stderr}");
    }

    // The same through the flags and through the configuration file's `[server]` table.
    let config = work.path().join("muninn.toml");
    std::fs::write(&config, format!("[server]\ntls_cert = {:?}\ntls_key = {:?}\n", path(&cert), path(&key)))
        .expect("config");
    let agent = muninn_testkit::agent_trusting(made.cert.der());
    let ways: [Vec<String>; 2] = [
        vec![
            "serve".into(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--tls-cert".into(),
            path(&cert),
            "--tls-key".into(),
            path(&key),
        ],
        vec!["--config".into(), path(&config), "serve".into(), "--listen".into(), "127.0.0.1:0".into()],
    ];
    for args in ways {
        let mut server = Command::new(env!("CARGO_BIN_EXE_muninn"))
            .args(["--data-dir", &path(&data)])
            .args(&args)
            .env_remove("MUNINN_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("muninn serve");
        let mut banner = String::new();
        BufReader::new(server.stdout.take().expect("stdout")).read_line(&mut banner).expect("banner");
        let address = banner
            .strip_prefix("muninn serving on https://")
            .and_then(|rest| rest.split('/').next())
            .map(str::to_owned);
        let answer =
            address.as_ref().map(|address| agent.get(format!("https://{address}/api/v1/health")).call());
        // Stopped by its own process id before any assertion can leave it running.
        server.kill().expect("stop the server");
        server.wait().expect("server exit");
        let mut answer = answer.unwrap_or_else(|| panic!("{args:?}: {banner}")).expect("https request");
        assert_eq!(answer.status(), 200, "{args:?}");
        assert_eq!(answer.body_mut().read_to_string().expect("body"), "{\"status\":\"ok\"}");
    }
}
