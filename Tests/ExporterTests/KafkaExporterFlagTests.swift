@testable import Exporter
import Foundation
import Kafka
import Logging
import Support
import Testing
import TestSupport

/// kafka_exporter's command lines work here: every flag is accepted in every spelling kingpin takes,
/// mapped where librdkafka has an equivalent, and otherwise named once as ignored.
@Suite struct KafkaExporterFlagTests {
    private struct Flag {
        let name: String
        let kind: String
        let defaultValue: String
    }

    /// The web server's TLS flags belong to the web flags (--web.config.file), not to this group.
    private static let webFlags: Set<String> = [
        "server.tls.enabled", "server.tls.mutual-auth-enabled", "server.tls.ca-file", "server.tls.cert-file", "server.tls.key-file",
    ]

    private static var flags: [Flag] {
        get throws {
            let text = try String(contentsOf: Repository.fixture("kafka_exporter-charts", "kafka_exporter-flags.txt"), encoding: .utf8)
            return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
                let fields = line.split(separator: " ").map(String.init)
                return Flag(name: fields[0], kind: fields[1], defaultValue: fields[2] == "-" ? "" : fields[2])
            }.filter { !webFlags.contains($0.name) }
        }
    }

    private func configuration(_ arguments: [String], environment: [String: String] = [:]) throws -> ExporterConfiguration {
        let command = try #require(try ExporterCLI.parse(arguments) as? RootCommand)
        return try command.options.makeConfiguration(environment: environment)
    }

    /// One command line per spelling, each with every flag (a problem is one line naming the flag).
    @Test(arguments: ["--name=default", "--name default", "--name", "--no-name", "--name=false", "--name=true"])
    func everyFlagIsAcceptedAtItsDefaultInEveryKingpinSpelling(spelling: String) throws {
        let flags = try Self.flags
        #expect(flags.count == 42)
        var arguments = flags.flatMap { flag -> [String] in
            switch (flag.kind, spelling) {
            case ("bool", "--name=default"): ["--\(flag.name)=\(flag.defaultValue)"]
            case ("bool", "--name default"), ("bool", "--name"): ["--\(flag.name)"]
            case ("bool", "--no-name"): ["--no-\(flag.name)"]
            case ("bool", "--name=false"): ["--\(flag.name)=false"]
            case ("bool", _): ["--\(flag.name)=true"]
            case (_, "--name default"): ["--\(flag.name)", flag.defaultValue]
            case _: ["--\(flag.name)=\(flag.defaultValue)"]
            }
        }
        // With --sasl.enabled, librdkafka itself wants a user and a password for PLAIN.
        arguments += ["--sasl.username=u", "--sasl.password=p"]
        #expect(throws: Never.self) { _ = try configuration(arguments) }
    }

    @Test func theRealBinaryAcceptsAKafkaExporterCommandLineAndNamesWhatItIgnores() throws {
        let exporter = try ExporterProcess([
            "--kafka.server=127.0.0.1:1", "--web.listen-address=127.0.0.1:0", "--concurrent.enable", "--zookeeper.server=zk:2181",
            "--use.consumelag.zookeeper=false", "--topic.workers=10", "--offset.show-all=true",
        ])
        _ = try exporter.waitUntilStarted()
        exporter.signal(SIGTERM)
        #expect(exporter.waitForExit(timeout: .seconds(10)) == 0)
        let warnings = exporter.standardError.split(separator: "\n").filter { $0.contains("ignored") }
        #expect(warnings.count == 1, "\(warnings)")
        let named = warnings.first?.firstMatch(of: /flags="([^"]*)"/).map { Set(String($0.1).split(separator: " ").map(String.init)) }
        // Switches set to what this exporter does anyway are not worth a warning.
        #expect(named == ["--concurrent.enable", "--zookeeper.server=zk:2181", "--topic.workers=10"])
    }

    @Test(arguments: [
        ("", "PLAIN"), ("plain", "PLAIN"), ("PLAIN", "PLAIN"), ("scram-sha512", "SCRAM-SHA-512"), ("SCRAM-SHA-512", "SCRAM-SHA-512"),
        ("sha512", "SCRAM-SHA-512"), ("scram-sha256", "SCRAM-SHA-256"), ("SCRAM-SHA-256", "SCRAM-SHA-256"), ("GSSAPI", "GSSAPI"),
        ("oauthbearer", "OAUTHBEARER"),
    ])
    func saslMechanismsInEveryCase(given: String, librdkafka: String) throws {
        let kafka = try configuration(["--sasl.enabled", "--sasl.mechanism=\(given)", "--sasl.username=u", "--sasl.password=p"]).kafka
        #expect(kafka.value(for: "sasl.mechanism") == librdkafka)
    }

    @Test func equivalentsAreMapped() throws {
        let gssapi = try configuration([
            "--sasl.enabled=true", "--sasl.mechanism=gssapi", "--sasl.username=exporter", "--sasl.realm=EXAMPLE.COM",
            "--sasl.service-name=kafka", "--sasl.keytab-path=/etc/krb/exporter.keytab", "--sasl.kerberos-auth-type=keytabAuth",
            "--sasl.kerberos-config-path=/etc/krb/krb5.conf", "--kafka.version=0.11.0.0",
        ])
        #expect(gssapi.kafka.value(for: "sasl.kerberos.principal") == "exporter@EXAMPLE.COM")
        #expect(gssapi.kafka.value(for: "sasl.kerberos.service.name") == "kafka")
        #expect(gssapi.kafka.value(for: "sasl.kerberos.keytab") == "/etc/krb/exporter.keytab")
        #expect(gssapi.kafka.value(for: "broker.version.fallback") == "0.11.0.0")
        #expect(gssapi.startup.environment == ["KRB5_CONFIG": "/etc/krb/krb5.conf"])
        #expect(gssapi.startup.ignoredFlags.isEmpty)

        // OIDC needs a librdkafka built with libcurl (Debian's 2.0.2 is not): the mapping is checked
        // before librdkafka sees it, and the refusal names the flag.
        let oauthArguments = [
            "--sasl.enabled", "--sasl.mechanism=oauthbearer", "--sasl.oauthbearer-token-url=https://idp.example/token",
            "--sasl.oauthbearer-scopes=kafka, metrics", "--sasl.username=client", "--sasl.password=secret",
        ]
        let sasl = try #require(try ExporterCLI.parse(oauthArguments) as? RootCommand).options.sasl
        var oauth = ClientConfiguration()
        try sasl.apply(to: &oauth, tls: false, environment: [:])
        #expect(oauth.value(for: "sasl.oauthbearer.method") == "oidc")
        #expect(oauth.value(for: "sasl.oauthbearer.token.endpoint.url") == "https://idp.example/token")
        #expect(oauth.value(for: "sasl.oauthbearer.client.id") == "client")
        #expect(oauth.value(for: "sasl.oauthbearer.client.secret") == "secret")
        #expect(oauth.value(for: "sasl.oauthbearer.scope") == "kafka metrics")
        do {
            _ = try configuration(oauthArguments)
        } catch {
            #expect("\(error)".hasPrefix("--sasl.oauthbearer-token-url: "), "\(error)")
        }

        // --group.workers is another name of --collect.max-inflight, 0 and less meaning no limit for both.
        #expect(try configuration(["--group.workers=5"]).collection.maxGroupRequestsInFlight == 5)
        #expect(try configuration(["--group.workers=0"]).collection.maxGroupRequestsInFlight == .max)
        #expect(try configuration(["--group.workers", "-1"]).collection.maxGroupRequestsInFlight == .max)
        #expect(try configuration(["--collect.max-inflight=0"]).collection.maxGroupRequestsInFlight == .max)
        #expect(try configuration(["--collect.max-inflight", "3", "--group.workers=7"]).collection.maxGroupRequestsInFlight == 7)
    }

    @Test(arguments: [(["--verbosity=0"], Logger.Level.info), (["--verbosity=1"], .debug), (["--verbosity=2"], .trace), (["--verbosity=5"], .trace),
                      (["--verbosity=2", "--log.level=warn"], .warning), ([], .info)])
    func verbosityIsTheLogLevelUnlessOneIsGiven(arguments: [String], level: Logger.Level) throws {
        let command = try #require(try ExporterCLI.parse(arguments) as? RootCommand)
        #expect(try command.options.makeLogSettings().level == level)
    }

    @Test func ignoredFlagsAreNamedWithTheirValues() throws {
        let ignored = try configuration([
            "--sasl.handshake=false", "--sasl.disable-PA-FX-FAST", "--sasl.aws-region=eu-west-1", "--tls.server-name=kafka",
            "--refresh.metadata=1m", "--offset.show-all=false", "--concurrent.enable", "--topic.workers=4",
            "--group.metrics.timeout=1m", "--kafka.allow-auto-topic-creation", "--use.consumelag.zookeeper",
            "--zookeeper.server=a:2181", "--zookeeper.server=b:2181", "--log.enable-sarama",
        ]).startup.ignoredFlags
        #expect(Set(ignored) == [
            "--sasl.handshake=false", "--sasl.disable-PA-FX-FAST", "--sasl.aws-region=eu-west-1", "--tls.server-name=kafka",
            "--refresh.metadata=1m", "--offset.show-all=false", "--concurrent.enable", "--topic.workers=4",
            "--group.metrics.timeout=1m", "--kafka.allow-auto-topic-creation", "--use.consumelag.zookeeper",
            "--zookeeper.server=a:2181", "--zookeeper.server=b:2181", "--log.enable-sarama",
        ])
        #expect(ignored.count == 14)
    }

    @Test func kingpinBooleanSpellingsMeanWhatTheySay() throws {
        #expect(try configuration(["--sasl.enabled=true", "--sasl.username=u", "--sasl.password=p"]).kafka.value(for: "security.protocol") == "sasl_plaintext")
        #expect(try configuration(["--sasl.enabled=false"]).kafka.value(for: "security.protocol") == nil)
        #expect(try configuration(["--sasl.enabled", "--no-sasl.enabled"]).kafka.value(for: "security.protocol") == nil)
        #expect(try configuration(["--group.discovery=0"]).collection.discoverGroups == false)
        #expect(try configuration(["--group.discovery=T"]).collection.discoverGroups == true)
        // Only boolean flags are rewritten: a regex may well be "true".
        #expect(try configuration(["--topic.filter=true"]).collection.topicFilter.include == "true")
        #expect(try configuration(["--topic.filter="]).collection.topicFilter.include == "")
    }
}
