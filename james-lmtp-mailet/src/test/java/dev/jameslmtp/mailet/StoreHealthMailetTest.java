package dev.jameslmtp.mailet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import javax.mail.MessagingException;

import org.apache.james.core.healthcheck.Result;
import org.apache.james.core.healthcheck.ResultStatus;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.google.inject.Guice;
import com.google.inject.Injector;

import dev.jameslmtp.mailet.health.LmtpStoresHealthCheck;
import dev.jameslmtp.testing.FakeLmtpServer;
import dev.jameslmtp.testing.LmtpHandler;
import dev.jameslmtp.testing.Response;
import reactor.core.publisher.Mono;

/**
 * The mailet's side of the stores' health: its parameters checked at {@code init}, its stores
 * registered with this James's {@code StoreHealth} (reached through Guice as James reaches it: the
 * mailet and the health check each from a child injector, as {@code GuiceGenericLoader} makes
 * them) and removed at {@code destroy}; another James (another root injector) never sees them.
 */
class StoreHealthMailetTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final LmtpHandler REFUSING = new LmtpHandler() {
        @Override
        public Response greeting() {
            return Response.reply("421 4.3.2 store going down");
        }
    };

    private final FakeLmtpServer down = FakeLmtpServer.start(REFUSING);
    private LmtpDelivery mailet;

    @AfterEach
    void stop() {
        if (mailet != null) {
            mailet.destroy();
        }
        down.close();
    }

    /** A James's root injector: its standard bindings only. */
    private static Injector james() {
        return Guice.createInjector(new JamesBindings());
    }

    /** As GuiceGenericLoader: a child injector holding the extension modules, here LmtpDeliveryMailetModule. */
    private static Injector loader(Injector james) {
        return james.createChildInjector(new LmtpDeliveryMailetModule());
    }

    private static FakeMailetConfig config(String... parameters) {
        FakeMailetConfig.Builder builder = FakeMailetConfig.builder().mailetName("lmtp").mailetContext(FakeMailContext.defaultContext())
                .setProperty("journalDirectory", "target/lmtp-journal/" + java.util.UUID.randomUUID());
        for (int i = 0; i < parameters.length; i += 2) {
            builder.setProperty(parameters[i], parameters[i + 1]);
        }
        return builder.build();
    }

    private static Result check(Injector injector) {
        return Mono.from(injector.getInstance(LmtpStoresHealthCheck.class).check()).block(WAIT);
    }

    @Test
    void theHealthCheckShouldSeeTheStoresOfTheMailetsOfItsOwnJamesOnly() throws Exception {
        Injector james = james();
        Injector otherJames = james();
        mailet = loader(james).getInstance(LmtpDelivery.class);
        mailet.init(config("destination", "inet:[127.0.0.1]:" + down.port()));

        Result result = check(loader(james));

        assertThat(result.getStatus()).isEqualTo(ResultStatus.UNHEALTHY);
        assertThat(result.getCause()).hasValueSatisfying(cause -> assertThat(cause).contains("inet:[127.0.0.1]:" + down.port(), "421 4.3.2"));
        assertThat(check(james).getStatus()).as("from James's own injector too").isEqualTo(ResultStatus.UNHEALTHY);
        assertThat(check(loader(otherJames)).getStatus()).as("another James in the same JVM").isEqualTo(ResultStatus.HEALTHY);
    }

    @Test
    void destroyShouldRemoveTheMailetsStoresFromTheHealthCheck() throws Exception {
        Injector james = james();
        mailet = loader(james).getInstance(LmtpDelivery.class);
        mailet.init(config("destination", "inet:[127.0.0.1]:" + down.port()));
        assertThat(check(james).getStatus()).isEqualTo(ResultStatus.UNHEALTHY);

        mailet.destroy();
        mailet = null;

        assertThat(check(james).getStatus()).isEqualTo(ResultStatus.HEALTHY);
    }

    @Test
    void aMailetBuiltWithoutGuiceShouldKeepItsStoresToItself() throws Exception {
        Injector james = james();
        mailet = new LmtpDelivery(new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory()), new RecordingMetricFactory(),
                () -> "james.test", Clock.systemUTC(), LmtpDelivery.ConsumerMode.DO_NOT_START);
        mailet.init(config("destination", "inet:[127.0.0.1]:" + down.port()));

        assertThat(check(james).getStatus()).isEqualTo(ResultStatus.HEALTHY);
        assertThat(mailet.pipeline().storeChecks().statuses().get()).singleElement()
                .satisfies(store -> assertThat(store.status()).isEqualTo(ResultStatus.UNHEALTHY));
    }

    @Test
    void initShouldRefuseAMalformedHealthCheckParameterNamingItsValueAndForm() throws Exception {
        for (List<String> bad : List.of(List.of("healthCheckCacheTime", "soon"), List.of("healthCheckCacheTime", "-1"),
                List.of("healthCheckTimeout", "0"), List.of("healthCheckTimeout", "3 fortnights"))) {
            LmtpDelivery refused = loader(james()).getInstance(LmtpDelivery.class);

            assertThatThrownBy(() -> refused.init(config("destination", "inet:[127.0.0.1]:" + down.port(), bad.get(0), bad.get(1))))
                    .isInstanceOf(MessagingException.class)
                    .hasMessageContaining("parameter '" + bad.get(0) + "': invalid value '" + bad.get(1) + "'")
                    .hasMessageContaining("a bare number is in seconds");
            refused.destroy();
        }
    }

    @Test
    void initShouldAcceptHealthCheckParameters() throws Exception {
        mailet = loader(james()).getInstance(LmtpDelivery.class);

        mailet.init(config("destination", "inet:[127.0.0.1]:" + down.port(), "healthCheckCacheTime", "0", "healthCheckTimeout", "2 seconds"));

        assertThat(mailet.pipeline().storeChecks()).isNotNull();
    }
}
