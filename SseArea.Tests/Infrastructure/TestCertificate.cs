using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SseArea.Tests.Infrastructure;

/// <summary>A self-signed certificate for 127.0.0.1, made in process for the HTTPS and HTTP/2 tests (browsers are told to accept it).</summary>
internal static class TestCertificate
{
    /// <summary>A new certificate with its private key, valid for a week.</summary>
    public static X509Certificate2 Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server authentication
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // Through PKCS#12, so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }

    /// <summary>Writes a new certificate and its key as PEM files (for nginx) into <paramref name="folder"/>.</summary>
    public static (string Certificate, string Key) WritePem(string folder)
    {
        using var certificate = Create();
        var files = (Path.Combine(folder, "cert.pem"), Path.Combine(folder, "key.pem"));
        File.WriteAllText(files.Item1, certificate.ExportCertificatePem());
        File.WriteAllText(files.Item2, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return files;
    }
}
