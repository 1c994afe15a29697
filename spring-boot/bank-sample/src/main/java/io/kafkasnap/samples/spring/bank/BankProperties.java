package io.kafkasnap.samples.spring.bank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param initialBalance the branch's money at its first start (a restart keeps what it has)
 * @param rate           transfers per second this branch sends
 * @param seed           seeds the choice of channel and amount
 */
@ConfigurationProperties(prefix = "bank")
public record BankProperties(@DefaultValue("1000") long initialBalance, @DefaultValue("20") double rate,
                             @DefaultValue("1") long seed) {
}
