package io.kafkasnap.samples.spring.bank;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * One bank branch as a Spring Boot application: the starter runs its node from {@link Branch} (the handler bean) and
 * application.properties; {@link BranchTimers} adds the initial balance and the transfers. Run one application per
 * branch, e.g. {@code --spring.application.name=bank-1 --kafkasnap.incoming=bank.0.1 --kafkasnap.outgoing=bank.1.0}.
 */
@SpringBootApplication
@EnableConfigurationProperties(BankProperties.class)
public class BankApplication {

    public static void main(String[] args) {
        SpringApplication.run(BankApplication.class, args);
    }
}
