package io.colloquy.usage;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.colloquy.shared.ConflictException;
import io.colloquy.shared.Ids;
import io.colloquy.shared.UsdAmount;
import io.colloquy.tenant.RequiresRole;
import io.colloquy.tenant.Role;

/**
 * The versioned price table. Rows are never changed: a new price is a new row that takes effect from
 * its {@code effectiveFrom}, so a call is always costed at the price in force when it was made.
 */
@Tag(name = "Prices", description = "The versioned price table: a new price is a new row, in force from its "
        + "effectiveFrom")
@RestController
@RequestMapping("/api/v1/model-prices")
class PriceController {

    private final PriceBook prices;
    private final Clock clock;

    PriceController(PriceBook prices, Clock clock) {
        this.prices = prices;
        this.clock = clock;
    }

    record PriceBody(String id, String provider, String model, @UsdAmount BigDecimal inputUsdPerMillion,
                     @UsdAmount BigDecimal cachedInputUsdPerMillion, @UsdAmount BigDecimal outputUsdPerMillion,
                     Instant effectiveFrom) {
        static PriceBody of(ModelPrice p) {
            return new PriceBody(p.id().toString(), p.provider(), p.model(), p.inputUsdPerMillion().stripTrailingZeros(),
                    p.cachedInputUsdPerMillion() == null ? null : p.cachedInputUsdPerMillion().stripTrailingZeros(),
                    p.outputUsdPerMillion().stripTrailingZeros(), p.effectiveFrom());
        }
    }

    /** Prices in USD per million tokens, at most 6 decimals; {@code effectiveFrom} defaults to now. */
    record NewPrice(@NotBlank @Size(max = 50) String provider, @NotBlank @Size(max = 100) String model,
                    @NotNull @DecimalMin("0") @Digits(integer = 12, fraction = 6) BigDecimal inputUsdPerMillion,
                    @DecimalMin("0") @Digits(integer = 12, fraction = 6) BigDecimal cachedInputUsdPerMillion,
                    @NotNull @DecimalMin("0") @Digits(integer = 12, fraction = 6) BigDecimal outputUsdPerMillion,
                    Instant effectiveFrom) {
    }

    @Operation(summary = "List the price table")
    @GetMapping
    @RequiresRole(value = {Role.ADMIN, Role.FINANCE}, platform = true)
    List<PriceBody> list() {
        return prices.all().stream().map(PriceBody::of).toList();
    }

    @Operation(summary = "Add a price, in force from its effectiveFrom",
            description = "USD per million tokens; rows are never changed.")
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @RequiresRole(value = Role.ADMIN, platform = true)
    PriceBody create(@Valid @RequestBody NewPrice body) {
        ModelPrice price = new ModelPrice(Ids.newId(), body.provider().strip(), body.model().strip(),
                body.inputUsdPerMillion(), body.cachedInputUsdPerMillion(), body.outputUsdPerMillion(),
                body.effectiveFrom() == null ? clock.instant() : body.effectiveFrom());
        try {
            prices.insert(price, clock.instant());
        } catch (DuplicateKeyException e) {
            throw new ConflictException("price-exists", "Price exists",
                    "A price for " + price.provider() + "/" + price.model() + " effective " + price.effectiveFrom()
                            + " already exists; prices are never changed, add one with a later effectiveFrom");
        }
        return PriceBody.of(price);
    }
}
