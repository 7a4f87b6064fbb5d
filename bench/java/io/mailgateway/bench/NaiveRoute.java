package io.mailgateway.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.dataformat.JsonLibrary;

import io.mailgateway.tls.TlsContexts;

/**
 * The naive baseline: what a kafka-source to mail-sink pipe does. One Camel route reads the request from Kafka and
 * hands it to camel-mail's default sender, which opens, STARTTLS-negotiates, authenticates and closes one SMTP
 * connection per message. No validation, templates or results.
 *
 * <p>Arguments: bootstrap-servers topic host port user password-file ca-pem warm-up-messages messages. Prints
 * "BENCH WARM" once the warm-up messages were sent and "BENCH DONE epoch-millis" after the rest.
 */
public final class NaiveRoute {

    private NaiveRoute() {
    }

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[7]);
        int total = warmup + Integer.parseInt(args[8]);
        // A pipe trusts the relay's CA through the JVM's default trust store; this sets the same default.
        SSLContext.setDefault(TlsContexts.trustingOnly(Path.of(args[6])));

        Properties settings = new Properties();
        settings.putAll(Map.of(
                "naive.brokers", args[0],
                "naive.topic", args[1],
                "naive.host", args[2],
                "naive.port", args[3],
                "naive.user", args[4],
                "naive.password", Files.readString(Path.of(args[5])).strip()));

        AtomicInteger sent = new AtomicInteger();
        int progressEvery = Math.max(1, total / 20);
        CamelContext camel = new DefaultCamelContext();
        camel.getPropertiesComponent().setInitialProperties(settings);
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(Exception.class).handled(true)
                        .process(e -> System.out.println("BENCH FAILED " + e.getProperty("CamelExceptionCaught")));

                from("kafka:{{naive.topic}}?brokers={{naive.brokers}}&groupId=bench-naive&autoOffsetReset=earliest")
                        .routeId("naive-kafka-to-smtp")
                        // what the mail-sink kamelet does: no transport header may reach the mail
                        .removeHeaders("*")
                        .unmarshal().json(JsonLibrary.Jackson, Map.class)
                        .setHeader("Subject", simple("${body[subject]}"))
                        .setHeader("From", simple("${body[from]}"))
                        .setHeader("To", simple("${body[to][0]}"))
                        .setHeader("CamelMailAlternativeBody", simple("${body[text]}"))
                        .setBody(simple("${body[html]}"))
                        .to("smtp://{{naive.host}}:{{naive.port}}?username={{naive.user}}"
                                + "&password=RAW({{naive.password}})&contentType=text/html"
                                + "&mail.smtp.auth=true&mail.smtp.starttls.enable=true"
                                + "&mail.smtp.starttls.required=true&mail.smtp.ssl.checkserveridentity=true")
                        .process(exchange -> {
                            int count = sent.incrementAndGet();
                            if (count == warmup) {
                                System.out.println("BENCH WARM");
                            } else if (count == total) {
                                System.out.println("BENCH DONE " + System.currentTimeMillis());
                            } else if (count % progressEvery == 0) {
                                System.out.println("BENCH PROGRESS " + count);
                            }
                        });
            }
        });
        camel.start();
        Runtime.getRuntime().addShutdownHook(new Thread(camel::stop));
        Thread.currentThread().join();
    }
}
