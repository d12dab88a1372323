package builder

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"

	"github.com/xbake/xbake/localfile"
)

// loadTLS reads the node's TLS files into a client configuration. The
// server name defaults to the endpoint's host, as buildx and buildctl do.
func (n *Node) loadTLS() error {
	if n.TLS.empty() {
		return nil
	}
	t := n.TLS
	if (t.Cert == "") != (t.Key == "") {
		return fmt.Errorf("a client certificate needs both cert and key files (cert %q, key %q)", t.Cert, t.Key)
	}
	u, err := url.Parse(n.Endpoint)
	if err != nil || u.Scheme != "tcp" {
		return fmt.Errorf("TLS settings apply to tcp:// endpoints only, not %s", n.Endpoint)
	}
	// gRPC servers refuse TLS clients that do not negotiate h2 (ALPN).
	cfg := &tls.Config{ServerName: t.ServerName, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2"}}
	if cfg.ServerName == "" {
		cfg.ServerName = u.Hostname()
	}
	if t.CA != "" {
		pem, err := readTLSFile("CA certificate", t.CA)
		if err != nil {
			return err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return fmt.Errorf("CA certificate %s holds no PEM certificate", t.CA)
		}
	}
	if t.Cert != "" {
		certPEM, err := readTLSFile("client certificate", t.Cert)
		if err != nil {
			return err
		}
		keyPEM, err := readTLSFile("client key", t.Key)
		if err != nil {
			return err
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return fmt.Errorf("client certificate %s and key %s: %v", t.Cert, t.Key, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	n.tls = cfg
	return nil
}

func readTLSFile(what, path string) ([]byte, error) {
	dt, err := localfile.Read(path, 1<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s %s does not exist", what, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	return dt, nil
}

// tlsFromDir finds the files of a TLS folder as buildctl's --tlsdir does:
// ca.pem or ca.crt, cert.pem or tls.crt, key.pem or tls.key.
func tlsFromDir(dir, serverName string) (TLS, error) {
	t := TLS{ServerName: serverName}
	for _, f := range []struct {
		dst        *string
		either, or string
	}{{&t.CA, "ca.pem", "ca.crt"}, {&t.Cert, "cert.pem", "tls.crt"}, {&t.Key, "key.pem", "tls.key"}} {
		for _, name := range []string{f.either, f.or} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				*f.dst = filepath.Join(dir, name)
				break
			}
		}
		if *f.dst == "" {
			return t, configErrorf("TLS folder %s has neither %s nor %s", dir, f.either, f.or)
		}
	}
	return t, nil
}

// dialTLS connects to a tcp:// endpoint and completes the TLS handshake,
// so that a refused certificate is reported by the dial, by name.
func (n *Node) dialTLS(ctx context.Context, hostport string) (net.Conn, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return nil, err
	}
	conn := tls.Client(raw, n.tls.Clone())
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("TLS handshake with %s: %w", hostport, err)
	}
	return conn, nil
}
