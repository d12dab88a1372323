package executor_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// certs writes a CA and a server and client certificate it signed.
func certs(t *testing.T, dir string) {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write := func(name, typ string, der []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	caKey := key()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "xbake test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write("ca.pem", "CERTIFICATE", caDER)
	for i, name := range []string{"server", "client"} {
		k := key()
		c := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 2)), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
		der, err := x509.CreateCertificate(rand.Reader, c, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalECPrivateKey(k)
		write(name+".pem", "CERTIFICATE", der)
		write(name+"-key.pem", "EC PRIVATE KEY", kder)
	}
}

// A tcp:// builder with mutual TLS, as a builders file names it.
func TestIntegrationTLSBuilder(t *testing.T) {
	executortest.Stack(t)
	dir := t.TempDir()
	certs(t, dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "tcp://" + l.Addr().String()
	l.Close()
	executortest.StartDaemonAt(t, "linux/arm64", addr,
		"--tlscacert", filepath.Join(dir, "ca.pem"), "--tlscert", filepath.Join(dir, "server.pem"), "--tlskey", filepath.Join(dir, "server-key.pem"))
	file := filepath.Join(dir, "builders.json")
	os.WriteFile(file, []byte(`[{"name": "arm", "endpoint": "`+addr+`",
	  "tls": {"ca": "ca.pem", "cert": "client.pem", "key": "client-key.pem", "server_name": "localhost"}}]`), 0o644)
	cfgs, err := executor.LoadBuilders(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	bs, err := executor.Connect(ctx, cfgs)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	if got := strings.Join(bs.NativePlatforms(), ","); got != "linux/arm64" {
		t.Errorf("platforms from ListWorkers = %s, want linux/arm64", got)
	}
	// Without a client certificate the daemon refuses.
	cfgs[0].TLS.Cert, cfgs[0].TLS.Key = "", ""
	if bs2, err := executor.Connect(ctx, cfgs); err == nil {
		bs2.Close()
		t.Error("connected without a client certificate")
	}
}
