//! arcana's own TLS on the web side: TLS 1.3 only, with exactly the two AEAD suites the design
//! names, HSTS on its answers; a TLS file that cannot be read stops the start with exit 2 naming
//! the key. The certificate is a test fixture (`tests/fixtures/tls/`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls::{
    self, ClientConfig, ClientConnection, RootCertStore, StreamOwned, SupportedCipherSuite,
    crypto::ring as provider,
    pki_types::{CertificateDer, ServerName, pem::PemObject},
};

use crate::accounts::Running;
use crate::harness::{REPLY_TIMEOUT, dir_with_config, streams};
use crate::support::bot_process::run_cli;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls").join(name)
}

fn config(port: u16, cert: &Path, key: &Path) -> String {
    format!(
        r#"[http]
listen = "127.0.0.1:{port}"
tls_cert = "{}"
tls_key = "{}"
"#,
        cert.display(),
        key.display()
    )
}

/// A client trusting the fixture CA, offering `versions` and `suites`.
fn client(
    versions: &[&'static rustls::SupportedProtocolVersion],
    suites: Vec<SupportedCipherSuite>,
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(fixture("ca.pem")).expect("ca.pem") {
        roots.add(cert.expect("a certificate")).expect("a trust anchor");
    }
    let mut crypto = provider::default_provider();
    crypto.cipher_suites = suites;
    Arc::new(
        ClientConfig::builder_with_provider(Arc::new(crypto))
            .with_protocol_versions(versions)
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

/// Connects and completes the handshake; the stream, or the handshake's error.
fn connect(port: u16, config: Arc<ClientConfig>) -> Result<StreamOwned<ClientConnection, TcpStream>, String> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    tcp.set_read_timeout(Some(REPLY_TIMEOUT)).map_err(|e| e.to_string())?;
    let name = ServerName::try_from("localhost").map_err(|e| e.to_string())?;
    let connection = ClientConnection::new(config, name).map_err(|e| e.to_string())?;
    let mut stream = StreamOwned::new(connection, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).map_err(|e| e.to_string())?;
    }
    Ok(stream)
}

#[test]
fn own_tls_is_1_3_only_with_the_two_named_suites() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let _run = Running::start(&config(port, &fixture("cert.pem"), &fixture("key.pem")));
    let deadline = std::time::Instant::now() + REPLY_TIMEOUT;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "never listened");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let all13 = || provider::DEFAULT_CIPHER_SUITES.to_vec();
    let mut stream = connect(port, client(&[&rustls::version::TLS13], all13())).expect("a TLS 1.3 handshake");
    assert_eq!(stream.conn.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_3));
    let suite = stream.conn.negotiated_cipher_suite().expect("a suite").suite();
    assert!(
        matches!(
            suite,
            rustls::CipherSuite::TLS13_AES_256_GCM_SHA384 | rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
        ),
        "{suite:?}"
    );
    stream.write_all(b"GET /app HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").expect("request");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(answer.contains("strict-transport-security: max-age=31536000; includesubdomains; preload"), "{answer}");

    for suite in
        [provider::cipher_suite::TLS13_AES_256_GCM_SHA384, provider::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256]
    {
        let stream = connect(port, client(&[&rustls::version::TLS13], vec![suite])).expect("each named suite works");
        assert_eq!(stream.conn.negotiated_cipher_suite(), Some(suite));
    }
    let aes128 =
        connect(port, client(&[&rustls::version::TLS13], vec![provider::cipher_suite::TLS13_AES_128_GCM_SHA256]));
    assert!(aes128.is_err(), "TLS_AES_128_GCM_SHA256 is refused");
    let tls12 = connect(port, client(&[&rustls::version::TLS12], provider::DEFAULT_CIPHER_SUITES.to_vec()));
    assert!(tls12.is_err(), "TLS 1.2 is refused");
}

#[test]
fn an_unreadable_tls_file_stops_the_start_naming_the_key() {
    let dir = dir_with_config(&config(1, &fixture("missing.pem"), &fixture("key.pem")));
    let output = run_cli(
        &["run", "--dir", dir.path().to_str().expect("utf-8")],
        &[("BOT_TOKEN", crate::support::bot_process::TEST_TOKEN)],
    );
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("http.tls_cert") && stderr.contains("missing.pem"), "{stderr}");
    let key_only =
        dir_with_config(&format!("[http]\nlisten = \"127.0.0.1:1\"\ntls_key = \"{}\"\n", fixture("key.pem").display()));
    let output = run_cli(&["run", "--dir", key_only.path().to_str().expect("utf-8")], &[]);
    let (_, stderr) = streams(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("http.tls_cert"), "{stderr}");
}
