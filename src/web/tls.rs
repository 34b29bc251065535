//! arcana's own TLS (`http.tls_cert`, `http.tls_key`): TLS 1.3 only, with exactly the two AEAD
//! suites the design names — `TLS_AES_256_GCM_SHA384` and `TLS_CHACHA20_POLY1305_SHA256` — on
//! rustls with the `ring` provider already in the binary.

use std::{path::Path, sync::Arc};

use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        self, ServerConfig,
        crypto::ring as provider,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    },
};

/// Why TLS could not be set up: which setting, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TlsError {
    /// The config key at fault.
    pub key: &'static str,
    /// What is wrong, in one line.
    pub message: String,
}

/// The acceptor for the certificate chain in `cert` and the key in `key` (PEM).
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect)
        .map_err(|e| TlsError { key: "http.tls_cert", message: format!("cannot read {}: {e}", cert.display()) })?;
    if certs.is_empty() {
        return Err(TlsError { key: "http.tls_cert", message: format!("no certificate in {}", cert.display()) });
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| TlsError { key: "http.tls_key", message: format!("cannot read {}: {e}", key.display()) })?;
    let mut suites = provider::default_provider();
    suites.cipher_suites =
        vec![provider::cipher_suite::TLS13_AES_256_GCM_SHA384, provider::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256];
    let mut config = ServerConfig::builder_with_provider(Arc::new(suites))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| TlsError { key: "http.tls_cert", message: e.to_string() })?
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .map_err(|e| TlsError { key: "http.tls_key", message: format!("the key does not fit the certificate: {e}") })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
