package io.colloquy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class ColloquyApplication {

    public static void main(String[] args) {
        SpringApplication.run(ColloquyApplication.class, args);
    }
}
